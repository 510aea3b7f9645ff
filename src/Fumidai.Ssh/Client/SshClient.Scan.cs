using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Client;

public sealed partial class SshClient
{
    /// <summary>Host key algorithms a scan asks for, one key exchange each (RSA once: both SHA-2 names carry the same key).</summary>
    public static readonly IReadOnlyList<string> DefaultScanAlgorithms =
    [
        SshKeyTypes.Ed25519, SshKeyTypes.EcdsaNistP256, SshKeyTypes.EcdsaNistP384, SshKeyTypes.EcdsaNistP521, SshKeyTypes.RsaSha2_512,
    ];

    /// <summary>
    /// Returns the server's host keys for enrolment, as <c>ssh-keyscan</c> does: one connection per host key algorithm, each
    /// abandoned as soon as the key is presented. Nothing is trusted here; the caller pins what an administrator approves.
    /// </summary>
    public static async Task<IReadOnlyList<SshPublicKey>> ScanHostKeysAsync(string host, int port, IEnumerable<string>? algorithms = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var keys = new List<SshPublicKey>();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        foreach (var algorithm in algorithms ?? DefaultScanAlgorithms)
        {
            var key = await ScanOneAsync(host, port, algorithm, limit, cancellationToken).ConfigureAwait(false);
            if (key is not null && !keys.Any(k => k.BlobEquals(key))) keys.Add(key);
        }
        return keys;
    }

    private static async Task<SshPublicKey?> ScanOneAsync(string host, int port, string algorithm, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var settings = new SshTransportSettings
        {
            // Everything we implement, so that old servers can be enrolled too; only the host key type is pinned.
            KexAlgorithms = KeyExchangeMethods.AllNames,
            Ciphers = CipherAlgorithms.AllNames,
            Macs = MacAlgorithms.AllNames,
            HostKeyAlgorithms = [algorithm],
        };
        SshPublicKey? presented = null;
        HostKeyVerifier capture = (key, _) =>
        {
            presented = key;
            throw new HostKeyCapturedException();
        };
        await using var stream = await OpenTcpAsync(host, port, timeout, cancellationToken).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await using var transport = await SshTransport.ConnectAsync(stream, capture, settings, null, limit.Token).ConfigureAwait(false);
        }
        catch (HostKeyCapturedException)
        {
            return presented;
        }
        catch (Exception ex) when (ex is SshProtocolException or SshConnectionLostException or IOException)
        {
            // The server has no key of this type (no common algorithm) or hung up: nothing to report for it.
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SshConnectException(host, port, $"no host key within {timeout.TotalSeconds:0.#} s");
        }
        return presented;
    }

    /// <summary>Aborts the key exchange once the host key is known; nothing more is needed from the server.</summary>
    private sealed class HostKeyCapturedException : Exception
    {
    }
}
