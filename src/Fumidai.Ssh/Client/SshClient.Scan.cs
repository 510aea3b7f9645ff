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
    /// Returns the server's host keys for enrolment, as <c>ssh-keyscan</c> does: the first key exchange learns which host
    /// key types the server has, and one more exchange per further type fetches each key, over the same connection where
    /// the server allows it, else one connection per further type. Only types the server listed are asked for, so its log
    /// shows no failed negotiation. Nothing is trusted here; the caller pins what an administrator approves.
    /// </summary>
    /// <exception cref="SshConnectException">No TCP connection, no SSH server on the port (naming what it sent), or no answer in time.</exception>
    public static async Task<IReadOnlyList<SshPublicKey>> ScanHostKeysAsync(string host, int port, IEnumerable<string>? algorithms = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var wanted = (algorithms ?? DefaultScanAlgorithms).ToArray();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var keys = new List<SshPublicKey>();
        void Capture(SshPublicKey key)
        {
            if (!keys.Any(k => k.BlobEquals(key))) keys.Add(key);
        }
        bool Captured(string algorithm) => keys.Any(k => k.SignatureAlgorithms.Contains(algorithm));

        IReadOnlyList<string> offered;
        var remaining = new List<string>();
        await using (var stream = await OpenTcpAsync(host, port, limit, TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            SshTransport transport;
            try
            {
                transport = await SshTransport.ConnectAsync(stream, (key, _) =>
                {
                    Capture(key);
                    return ValueTask.CompletedTask;
                }, ScanSettings(wanted), null, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (NotSsh(ex) is { } why)
            {
                throw new SshConnectException(host, port, "not an SSH server: " + why, ex) { NotSshReason = why };
            }
            catch (SshProtocolException ex) when (ex.Reason == DisconnectReason.KeyExchangeFailed)
            {
                // No host key type in common: an empty answer, which the caller explains.
                return keys;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SshConnectException(host, port, $"no host key within {limit.TotalSeconds:0.#} s");
            }
            await using (transport)
            {
                offered = transport.PeerHostKeyAlgorithms;
                // OpenSSH's sshd takes no key exchange between the first and authentication (it logs a protocol error and
                // ignores it): go straight to one connection per further type for it.
                bool rekeys = !transport.RemoteVersion.StartsWith("SSH-2.0-OpenSSH", StringComparison.Ordinal);
                if (!rekeys) remaining.AddRange(wanted.Where(a => offered.Contains(a) && !Captured(a)));
                foreach (var algorithm in wanted.Where(a => rekeys && offered.Contains(a) && !Captured(a)))
                {
                    if (Captured(algorithm)) continue;
                    try
                    {
                        await transport.RekeyForHostKeyAsync(algorithm, deadline.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is SshProtocolException or SshConnectionLostException or IOException
                                               || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        remaining.AddRange(wanted.Where(a => offered.Contains(a) && !Captured(a)));
                        break;
                    }
                }
                try
                {
                    await transport.DisconnectAsync(DisconnectReason.ByApplication, "host key scan done", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or SshConnectionLostException or SshProtocolException)
                {
                    // Gone already: nothing more was needed from it.
                }
            }
        }
        // A server that takes no second key exchange here: one connection for each type it listed and we still lack.
        foreach (var algorithm in remaining.Where(a => !Captured(a)))
        {
            if (await ScanOneAsync(host, port, algorithm, limit, cancellationToken).ConfigureAwait(false) is { } key) Capture(key);
        }
        return keys;
    }

    /// <summary>Why a failed start of SSH shows the port serves something else, or null when it is an ordinary failure.</summary>
    private static string? NotSsh(Exception ex) => ex switch
    {
        SshConnectionLostException { InsteadOfVersion: "" } => "it closed the connection without sending an SSH version line",
        SshConnectionLostException { InsteadOfVersion: { } text } => $"it sent '{text}'",
        SshProtocolException p when p.Message.Contains("identification line", StringComparison.Ordinal) => "its greeting is not an SSH version line",
        SshProtocolException { Reason: DisconnectReason.ProtocolVersionNotSupported } => "it does not speak SSH-2.0",
        _ => null,
    };

    private static SshTransportSettings ScanSettings(string[] hostKeyAlgorithms) => new()
    {
        // Everything we implement, so that old servers can be enrolled too; only the host key types are chosen.
        KexAlgorithms = KeyExchangeMethods.AllNames,
        Ciphers = CipherAlgorithms.AllNames,
        Macs = MacAlgorithms.AllNames,
        HostKeyAlgorithms = hostKeyAlgorithms,
    };

    private static async Task<SshPublicKey?> ScanOneAsync(string host, int port, string algorithm, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var settings = ScanSettings([algorithm]);
        SshPublicKey? presented = null;
        HostKeyVerifier capture = (key, _) =>
        {
            presented = key;
            throw new HostKeyCapturedException();
        };
        await using var stream = await OpenTcpAsync(host, port, timeout, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
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
