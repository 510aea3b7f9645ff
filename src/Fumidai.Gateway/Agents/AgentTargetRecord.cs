namespace Fumidai.Gateway.Agents;

/// <summary>How an agent target is joined: its pending join token (hashed), the agent's key, host keys it reported, revocation.</summary>
/// <param name="TokenHash">SHA-256 of the join token while it is unused, else null.</param>
/// <param name="AcceptFirstReport">Pin the host keys of the agent's first report without asking an admin.</param>
/// <param name="AgentKey">The agent's public key (OpenSSH line) once it joined.</param>
/// <param name="PendingHostKeys">Host keys the agent reported that are not pinned yet, waiting for an admin.</param>
public sealed record AgentTargetRecord(
    string Target,
    byte[]? TokenHash,
    DateTimeOffset? TokenExpires,
    bool AcceptFirstReport,
    string? AgentKey,
    DateTimeOffset? Joined,
    IReadOnlyList<string> PendingHostKeys,
    DateTimeOffset? Revoked)
{
    public override string ToString() => $"AgentTargetRecord {{ Target = {Target}, Joined = {Joined}, Revoked = {Revoked} }}";
}

/// <summary>One agent's connection to one node, as last written by that node.</summary>
public sealed record AgentConnectionRecord(string Target, string Node, DateTimeOffset Since, DateTimeOffset LastSeen, string Version);
