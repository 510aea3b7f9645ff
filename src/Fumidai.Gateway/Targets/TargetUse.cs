namespace Fumidai.Gateway.Targets;

/// <summary>What one connection to a target is for; its certificate grants that and nothing more.</summary>
/// <param name="Pty">The session asks the target for a terminal (a shell or an exec with a pty).</param>
/// <param name="PortForwarding">The connection carries the operator's <c>direct-tcpip</c> channels.</param>
public sealed record TargetUse(bool Pty, bool PortForwarding)
{
    /// <summary>A shell, exec, scp or sftp session, with or without a terminal.</summary>
    public static TargetUse Session(bool pty) => new(pty, false);

    /// <summary>The connection that carries port forwards, which never needs a terminal.</summary>
    public static TargetUse Forwarding { get; } = new(false, true);
}
