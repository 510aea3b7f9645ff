using Fumidai.Cli.Output;
using Fumidai.Gateway.Agents;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary>An agent target's state as <c>target list</c> and <c>target show</c> print it (and as <c>--json</c> writes it).</summary>
/// <param name="State"><c>waiting-for-join</c>, <c>token-expired</c>, <c>connected</c>, <c>disconnected</c> or <c>revoked</c>.</param>
public sealed record TargetAgentView(string State, string? Key, string? Joined, string? TokenExpires, IReadOnlyList<AgentNodeView> Connections,
    IReadOnlyList<TargetCommands.HostKeyView> PendingHostKeys)
{
    /// <summary>The agent targets' states by target name, read once for a listing.</summary>
    public static async Task<IReadOnlyDictionary<string, TargetAgentView>> LoadAsync(MetadataStore store, CancellationToken cancellationToken)
    {
        var connections = (await store.ListAgentConnectionsAsync(cancellationToken).ConfigureAwait(false)).ToLookup(c => c.Target, StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        return (await store.ListAgentTargetsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.Target,
            a => From(a, connections[a.Target].ToList(), now), StringComparer.Ordinal);
    }

    private static TargetAgentView From(AgentTargetRecord agent, List<AgentConnectionRecord> connections, DateTimeOffset now)
    {
        string state = agent.Revoked is not null ? "revoked"
            : agent.AgentKey is null ? (agent.TokenExpires is { } expires && expires > now ? "waiting-for-join" : "token-expired")
            : connections.Count > 0 ? "connected" : "disconnected";
        return new TargetAgentView(state, agent.AgentKey is { } key ? SshPublicKey.ParseOpenSsh(key).Fingerprint : null,
            agent.Joined is { } joined ? JsonOutput.Time(joined) : null,
            agent.TokenExpires is { } t ? JsonOutput.Time(t) : null,
            connections.Select(c => new AgentNodeView(c.Node, JsonOutput.Time(c.Since), JsonOutput.Time(c.LastSeen), c.Version)).ToArray(),
            agent.PendingHostKeys.Select(TargetCommands.HostKeyView.From).ToArray());
    }

    /// <summary>One line for the listing's AGENT column.</summary>
    public string Summary => State != "connected" ? State
        : string.Join("; ", Connections.Select(c => $"{c.Node} since {c.Since}, seen {c.LastSeen}, v{c.Version}"));
}

/// <summary>An agent's connection to one node.</summary>
public sealed record AgentNodeView(string Node, string Since, string LastSeen, string Version);
