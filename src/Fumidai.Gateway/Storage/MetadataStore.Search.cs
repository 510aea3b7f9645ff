using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>Replaces a session's indexed commands (so reindexing is idempotent).</summary>
    public Task IndexSessionCommandsAsync(string sessionId, IReadOnlyList<(TimeSpan Offset, string Command)> commands,
        CancellationToken cancellationToken = default) =>
        IndexSessionCommandsAsync(sessionId, commands.Select(c => (c.Offset, c.Command, (string?)null)).ToArray(), cancellationToken);

    /// <summary>Replaces a session's indexed commands, each with its mark (why it was read from the keys, or null).</summary>
    public async Task IndexSessionCommandsAsync(string sessionId, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM session_commands WHERE session_id = @id";
            Add(delete, "@id", sessionId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        for (int i = 0; i < commands.Count; i++)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO session_commands (session_id, seq, offset_ms, command, mark) VALUES (@id, @seq, @offset, @command, @mark)";
            Add(insert, "@id", sessionId);
            Add(insert, "@seq", i);
            Add(insert, "@offset", (long)commands[i].Offset.TotalMilliseconds);
            Add(insert, "@command", commands[i].Command);
            Add(insert, "@mark", commands[i].Mark);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commands containing <paramref name="text"/> (substring, case-insensitive), newest sessions first.</summary>
    public async Task<IReadOnlyList<CommandHit>> SearchCommandsAsync(string text, string? user, DateTimeOffset? since, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        string match = _dialect.CommandContains(text.Length);
        command.CommandText = $"""
            SELECT c.session_id, s.user_name, s.target, s.login, s.started, c.offset_ms, c.command, c.mark
            FROM session_commands c JOIN sessions s ON s.id = c.session_id
            WHERE {match} {(user is null ? "" : "AND s.user_name = @user")} {(since is null ? "" : "AND s.started >= @since")}
            ORDER BY s.started DESC, c.seq LIMIT @limit
            """;
        if (match.Contains("@match", StringComparison.Ordinal)) Add(command, "@match", "\"" + text.Replace("\"", "\"\"") + "\"");
        if (match.Contains("@like", StringComparison.Ordinal)) Add(command, "@like", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
        if (user is not null) Add(command, "@user", user);
        if (since is not null) Add(command, "@since", Time(since.Value));
        Add(command, "@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var hits = new List<CommandHit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var start = ParseTime(reader.GetString(4));
            hits.Add(new CommandHit(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                start + TimeSpan.FromMilliseconds(reader.GetInt64(5)), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return hits;
    }
}
