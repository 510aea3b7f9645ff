using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Agents;

/// <summary>One agent's live connection to this node: the target it serves, its key, its version, since when.</summary>
public sealed class AgentLink(string target, SshPublicKey key, SshConnection connection, string version, string source, DateTimeOffset since)
{
    public string Target { get; } = target;

    public SshPublicKey Key { get; } = key;

    public SshConnection Connection { get; } = connection;

    public string Version { get; } = version;

    public string Source { get; } = source;

    public DateTimeOffset Since { get; } = since;

    private int _unansweredKeepalives;

    /// <summary>Counts a keepalive sent and returns how many are now waiting for an answer.</summary>
    public int KeepaliveSent() => Interlocked.Increment(ref _unansweredKeepalives);

    /// <summary>Any answer (OpenSSH-style failure included) shows the agent alive.</summary>
    public void KeepaliveAnswered() => Volatile.Write(ref _unansweredKeepalives, 0);

    /// <summary>Why this node closed the link itself (revoked, replaced), or null when the agent went away.</summary>
    public string? ClosedBecause { get; set; }
}
