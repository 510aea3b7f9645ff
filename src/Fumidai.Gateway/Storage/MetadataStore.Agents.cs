using System.Data.Common;
using Fumidai.Gateway.Agents;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

// Agent targets: one row per target in agent_targets (join token, agent key, reported host keys, revocation) and one row per
// agent connection and node in agent_connections.
public sealed partial class MetadataStore
{
    /// <summary>Adds a target reached through an agent (no address) with its join token; false when the name is taken.</summary>
    public async Task<bool> AddAgentTargetAsync(TargetRecord target, byte[] tokenHash, DateTimeOffset tokenExpires, bool acceptFirstReport,
        CancellationToken cancellationToken = default)
    {
        if (!await AddTargetAsync(target, cancellationToken).ConfigureAwait(false)) return false;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO agent_targets (target, token_hash, token_expires, accept_first) VALUES (@target, @hash, @expires, @accept)
            ON CONFLICT(target) DO UPDATE SET token_hash = excluded.token_hash, token_expires = excluded.token_expires,
                accept_first = excluded.accept_first, agent_key = NULL, joined = NULL, pending_host_keys = NULL, revoked = NULL
            """;
        Add(command, "@target", target.Name);
        Add(command, "@hash", tokenHash);
        Add(command, "@expires", Time(tokenExpires));
        Add(command, "@accept", acceptFirstReport ? 1L : 0L);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<AgentTargetRecord?> GetAgentTargetAsync(string target, CancellationToken cancellationToken = default)
    {
        var all = await QueryAgentTargetsAsync("WHERE target = @target", target, cancellationToken).ConfigureAwait(false);
        return all.Count == 1 ? all[0] : null;
    }

    public Task<IReadOnlyList<AgentTargetRecord>> ListAgentTargetsAsync(CancellationToken cancellationToken = default) =>
        QueryAgentTargetsAsync("", null, cancellationToken);

    private async Task<IReadOnlyList<AgentTargetRecord>> QueryAgentTargetsAsync(string where, string? target, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT target, token_hash, token_expires, accept_first, agent_key, joined, pending_host_keys, revoked
            FROM agent_targets {where} ORDER BY target
            """;
        if (target is not null) Add(command, "@target", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<AgentTargetRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new AgentTargetRecord(reader.GetString(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1), OptionalTime(reader, 2),
                Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) != 0,
                reader.IsDBNull(4) ? null : reader.GetString(4), OptionalTime(reader, 5),
                reader.IsDBNull(6) ? [] : ParseJsonList(reader.GetString(6)), OptionalTime(reader, 7)));
        }
        return records;
    }

    private static DateTimeOffset? OptionalTime(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : ParseTime(reader.GetString(column));

    /// <summary>
    /// Uses the join token whose hash is <paramref name="tokenHash"/> to bind <paramref name="agentKey"/> to the target, in one
    /// conditional statement: of two agents presenting the token at once, one joins. False when the token is used, expired or
    /// replaced, the target is revoked, or an agent already joined.
    /// </summary>
    public async Task<bool> TryJoinAgentAsync(string target, byte[] tokenHash, string agentKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE agent_targets SET token_hash = NULL, token_expires = NULL, agent_key = @key, joined = @now
            WHERE target = @target AND token_hash = @hash AND token_expires > @now AND agent_key IS NULL AND revoked IS NULL
            """;
        Add(command, "@target", target);
        Add(command, "@hash", tokenHash);
        Add(command, "@key", agentKey);
        Add(command, "@now", Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Keeps host keys the agent reported for an admin to confirm (an empty list clears them).</summary>
    public Task<bool> SetAgentPendingHostKeysAsync(string target, IReadOnlyList<string> hostKeys, CancellationToken cancellationToken = default) =>
        UpdateAgentTargetAsync("pending_host_keys = @value", target, hostKeys.Count == 0 ? null : Json(hostKeys), cancellationToken);

    /// <summary>Refuses the target's agent from now on; its join token, if unused, is void too.</summary>
    public Task<bool> RevokeAgentAsync(string target, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        UpdateAgentTargetAsync("revoked = @value, token_hash = NULL, token_expires = NULL", target, Time(now), cancellationToken);

    private async Task<bool> UpdateAgentTargetAsync(string set, string target, object? value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE agent_targets SET {set} WHERE target = @target";
        Add(command, "@target", target);
        Add(command, "@value", value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Records that the target's agent is connected to <paramref name="node"/> since <paramref name="now"/>.</summary>
    public async Task AgentConnectedAsync(string target, string node, string version, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO agent_connections (target, node, since, last_seen, version) VALUES (@target, @node, @now, @now, @version)
            ON CONFLICT(target, node) DO UPDATE SET since = excluded.since, last_seen = excluded.last_seen, version = excluded.version
            """;
        Add(command, "@target", target);
        Add(command, "@node", node);
        Add(command, "@now", Time(now));
        Add(command, "@version", version);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task AgentSeenAsync(string target, string node, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE agent_connections SET last_seen = @now WHERE target = @target AND node = @node";
        Add(command, "@target", target);
        Add(command, "@node", node);
        Add(command, "@now", Time(now));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the agent's connection to <paramref name="node"/> (null: to every node, as at a node's start).</summary>
    public async Task AgentDisconnectedAsync(string? target, string node, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = target is null
            ? "DELETE FROM agent_connections WHERE node = @node"
            : "DELETE FROM agent_connections WHERE target = @target AND node = @node";
        if (target is not null) Add(command, "@target", target);
        Add(command, "@node", node);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AgentConnectionRecord>> ListAgentConnectionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT target, node, since, last_seen, version FROM agent_connections ORDER BY target, node";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<AgentConnectionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new AgentConnectionRecord(reader.GetString(0), reader.GetString(1), ParseTime(reader.GetString(2)),
                ParseTime(reader.GetString(3)), reader.GetString(4)));
        }
        return records;
    }
}
