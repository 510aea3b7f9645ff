using System.Net;

namespace Fumidai.Agent;

/// <summary>How an agent runs: the bastion nodes it dials, the name it joins as, the one address it forwards to, its state.</summary>
public sealed class AgentOptions
{
    /// <summary>Bastion nodes (host, SSH port); the agent keeps one connection to each.</summary>
    public required IReadOnlyList<DnsEndPoint> Bastions { get; init; }

    /// <summary>The target name the agent was registered as.</summary>
    public required string Name { get; init; }

    /// <summary>The one-time join token, needed only until the agent has joined.</summary>
    public string? Token { get; init; }

    /// <summary>The only address the agent connects channels to: the local sshd.</summary>
    public required DnsEndPoint Forward { get; init; }

    /// <summary>Holds the agent's key and the bastion's pinned host key, owner-only.</summary>
    public required string StateDirectory { get; init; }

    public string Version { get; init; } = typeof(AgentOptions).Assembly.GetName().Version?.ToString(3) ?? "0";

    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives one line per state change (connected, disconnected, refused, retrying).</summary>
    public Action<string> Log { get; init; } = _ => { };
}
