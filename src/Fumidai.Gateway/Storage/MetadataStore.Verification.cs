namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>Records whether a session's indexed commands were read from a recording that verified, and if not, why.</summary>
    public async Task MarkRecordingCheckAsync(string sessionId, bool verified, string? problem, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO recording_checks (session_id, verified, problem, checked) VALUES (@id, @verified, @problem, @checked)
            ON CONFLICT(session_id) DO UPDATE SET verified = excluded.verified, problem = excluded.problem, checked = excluded.checked
            """;
        Add(command, "@id", sessionId);
        Add(command, "@verified", verified ? 1 : 0);
        Add(command, "@problem", problem);
        Add(command, "@checked", Time(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sessions among <paramref name="sessionIds"/> whose indexed commands came from an unverified recording, with the problem.</summary>
    public async Task<IReadOnlyDictionary<string, string>> UnverifiedIndexEntriesAsync(IReadOnlyCollection<string> sessionIds,
        CancellationToken cancellationToken = default)
    {
        var marks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sessionIds.Count == 0) return marks;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (string id in sessionIds)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT problem FROM recording_checks WHERE session_id = @id AND verified = 0";
            Add(command, "@id", id);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } problem)
                marks[id] = problem as string ?? "not verified";
        }
        return marks;
    }
}
