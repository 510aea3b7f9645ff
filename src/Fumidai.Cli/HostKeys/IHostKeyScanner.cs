using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.HostKeys;

/// <summary>Fetches the host keys a target's SSH server offers, for <c>target add --scan</c>.</summary>
/// <remarks>Tests may replace the default (the SSH client role) with a fake.</remarks>
public interface IHostKeyScanner
{
    /// <summary>The host keys offered; throws <see cref="Infrastructure.CliException"/> with a clear reason when none could be fetched.</summary>
    Task<IReadOnlyList<SshPublicKey>> ScanAsync(string host, int port, CancellationToken cancellationToken);
}
