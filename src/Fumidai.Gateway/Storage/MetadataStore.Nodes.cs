using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

/// <remarks>
/// Nodes sharing one database each write a heartbeat. A node whose heartbeat is older than the dead time is taken for
/// crashed: its running sessions can have no live relay any more, so another node marks them interrupted. A node's own
/// sessions left running are its own crash's, recovered when it starts again.
/// </remarks>
public sealed partial class MetadataStore
{
    /// <summary>The node whose sessions this store adds (<c>Node:Name</c> of the running <c>serve</c>); null in the CLI.</summary>
    public string? Node { get; set; }

    /// <summary>Records that <paramref name="node"/> is alive at <paramref name="now"/>; <paramref name="starting"/> also sets when it started.</summary>
    public async Task HeartbeatAsync(string node, DateTimeOffset now, bool starting = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO nodes (name, started, heartbeat) VALUES (@name, @now, @now)
            ON CONFLICT(name) DO UPDATE SET heartbeat = @now{(starting ? ", started = @now" : "")}
            """;
        Add(command, "@name", node);
        Add(command, "@now", Time(now));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every node that ever heartbeat, with when it started and its last heartbeat.</summary>
    public async Task<IReadOnlyList<(string Name, DateTimeOffset Started, DateTimeOffset Heartbeat)>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, started, heartbeat FROM nodes ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var nodes = new List<(string, DateTimeOffset, DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            nodes.Add((reader.GetString(0), ParseTime(reader.GetString(1)), ParseTime(reader.GetString(2))));
        return nodes;
    }

    /// <summary>Running sessions of <paramref name="node"/>, and those that name no node (made before nodes were named).</summary>
    public Task<IReadOnlyList<SessionRecord>> ListRunningSessionsOfAsync(string node, CancellationToken cancellationToken = default) =>
        QuerySessionsAsync("WHERE status = 'running' AND (node = @node OR node IS NULL)", [("@node", node)], cancellationToken);

    /// <summary>Running sessions of other nodes whose last heartbeat is before <paramref name="deadBefore"/> (or that never heartbeat).</summary>
    public Task<IReadOnlyList<SessionRecord>> ListRunningSessionsOfDeadNodesAsync(string self, DateTimeOffset deadBefore,
        CancellationToken cancellationToken = default) =>
        QuerySessionsAsync("""
            WHERE status = 'running' AND node IS NOT NULL AND node <> @self
                AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = sessions.node AND n.heartbeat >= @cutoff)
            """, [("@self", self), ("@cutoff", Time(deadBefore))], cancellationToken);

    /// <summary>Marks a session interrupted if it is still running; false when it ended meanwhile or another node marked it first.</summary>
    public async Task<bool> TryInterruptSessionAsync(string id, DateTimeOffset end, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // One conditional statement: of two nodes sweeping at once, one wins, so the end is audited once.
        command.CommandText = """
            UPDATE sessions SET ended = @end, status = @status, end_reason = @reason WHERE id = @id AND status = 'running'
            """;
        Add(command, "@id", id);
        Add(command, "@end", Time(end));
        Add(command, "@status", SessionEndReason.Interrupted.Status);
        Add(command, "@reason", SessionEndReason.Interrupted.Name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
