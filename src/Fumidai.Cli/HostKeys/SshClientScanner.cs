using Fumidai.Cli.Infrastructure;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.HostKeys;

/// <summary>Fetches host keys with the SSH client role, one key exchange per host key type, as ssh-keyscan does.</summary>
public sealed class SshClientScanner : IHostKeyScanner
{
    private readonly TimeSpan _timeout;

    public SshClientScanner(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<SshPublicKey>> ScanAsync(string host, int port, CancellationToken cancellationToken)
    {
        IReadOnlyList<SshPublicKey> keys;
        try
        {
            keys = await SshClient.ScanHostKeysAsync(host, port, timeout: _timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectException ex) when (ex.NotSshReason is { } why)
        {
            throw CliException.Failure($"{host}:{port} is not an SSH server: {why}");
        }
        catch (SshConnectException ex)
        {
            throw CliException.Failure($"could not fetch the host key: {ex.Message}");
        }
        if (keys.Count == 0) throw CliException.Failure($"{host}:{port} offered no host key of a supported type");
        return keys;
    }
}
