using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Agents;

/// <summary>An agent that proved its key (and, on its first join, its token): the target it serves and the key it holds.</summary>
public sealed record AgentLogin(string Target, SshPublicKey Key);

/// <summary>An agent that proved a key not yet bound to its target, so the join token must follow on this connection.</summary>
internal sealed record PendingAgentJoin(string Target, SshPublicKey Key);
