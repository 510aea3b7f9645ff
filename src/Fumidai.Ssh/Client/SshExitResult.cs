namespace Fumidai.Ssh.Client;

/// <summary>How a remote command ended (RFC 4254 §6.10): an exit status, a signal, or neither when the channel just closed.</summary>
public sealed record SshExitResult(uint? ExitStatus, string? ExitSignal, bool CoreDumped = false, string? ErrorMessage = null)
{
    public override string ToString() =>
        ExitStatus is { } status ? $"exit status {status}"
        : ExitSignal is { } signal ? $"killed by SIG{signal}" + (CoreDumped ? " (core dumped)" : "")
        : "closed without exit status";
}
