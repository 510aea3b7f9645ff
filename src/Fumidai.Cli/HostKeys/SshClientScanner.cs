using Fumidai.Gateway.Administration;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.HostKeys;

/// <summary>Fetches host keys with the SSH client role, one key exchange per host key type, as ssh-keyscan does (the scan shared with the console).</summary>
public sealed class SshClientScanner : IHostKeyScanner
{
    private readonly TimeSpan _timeout;

    public SshClientScanner(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(10);

    public Task<IReadOnlyList<SshPublicKey>> ScanAsync(string host, int port, CancellationToken cancellationToken) =>
        TargetRules.ScanAsync(host, port, _timeout, cancellationToken);
}
