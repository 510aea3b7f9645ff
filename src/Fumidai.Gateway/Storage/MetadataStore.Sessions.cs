using System.Data.Common;
using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    public async Task AddSessionAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sessions (id, user_name, target, login, kind, command, source, started, status, recording, node)
            VALUES (@id, @user, @target, @login, @kind, @command, @source, @started, @status, @recording, @node)
            """;
        Add(command, "@id", session.Id);
        Add(command, "@user", session.User);
        Add(command, "@target", session.Target);
        Add(command, "@login", session.Login);
        Add(command, "@kind", session.Kind);
        Add(command, "@command", session.Command);
        Add(command, "@source", session.Source);
        Add(command, "@started", Time(session.Start));
        Add(command, "@status", session.Status);
        Add(command, "@recording", session.Recording);
        Add(command, "@node", session.Node ?? Node);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the session ended; its status follows from the reason, so the two never disagree.</summary>
    public async Task EndSessionAsync(string id, DateTimeOffset end, SessionEndReason reason, long bytesIn, long bytesOut,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE sessions SET ended = @end, status = @status, end_reason = @reason, bytes_in = @in, bytes_out = @out
            WHERE id = @id
            """;
        Add(command, "@id", id);
        Add(command, "@end", Time(end));
        Add(command, "@status", reason.Status);
        Add(command, "@reason", reason.Name);
        Add(command, "@in", bytesIn);
        Add(command, "@out", bytesOut);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sessions still marked running (after a crash these are interrupted).</summary>
    public Task<IReadOnlyList<SessionRecord>> ListRunningSessionsAsync(CancellationToken cancellationToken = default) =>
        QuerySessionsAsync("WHERE status = 'running'", [], cancellationToken);

    public async Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken = default)
    {
        var found = await QuerySessionsAsync("WHERE id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false);
        return found.Count == 1 ? found[0] : null;
    }

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(string? user, string? target, DateTimeOffset? since,
        CancellationToken cancellationToken = default)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (user is not null)
        {
            where.Add("user_name = @user");
            parameters.Add(("@user", user));
        }
        if (target is not null)
        {
            where.Add("target = @target");
            parameters.Add(("@target", target));
        }
        if (since is not null)
        {
            where.Add("started >= @since");
            parameters.Add(("@since", Time(since.Value)));
        }
        return QuerySessionsAsync(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), parameters, cancellationToken);
    }

    internal async Task<IReadOnlyList<SessionRecord>> QuerySessionsAsync(string where, IEnumerable<(string, object?)> parameters,
        CancellationToken cancellationToken, bool ordered = false)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT id, user_name, target, login, kind, command, source, started, ended, status, end_reason, bytes_in, bytes_out, recording, node
            FROM sessions {where} {(ordered ? "" : "ORDER BY started")}
            """;
        foreach (var (name, value) in parameters) Add(command, name, value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) sessions.Add(ReadSession(reader));
        return sessions;
    }

    private static SessionRecord ReadSession(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
        r.GetString(6), ParseTime(r.GetString(7)), r.IsDBNull(8) ? null : ParseTime(r.GetString(8)), r.GetString(9),
        r.IsDBNull(10) ? null : r.GetString(10), r.GetInt64(11), r.GetInt64(12), r.IsDBNull(13) ? null : r.GetString(13))
    {
        Node = r.IsDBNull(14) ? null : r.GetString(14),
    };
}
