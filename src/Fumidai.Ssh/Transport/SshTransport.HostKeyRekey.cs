namespace Fumidai.Ssh.Transport;

/// <summary>Client-side key exchanges that ask for one particular host key type, for host key scans.</summary>
public sealed partial class SshTransport
{
    private string[]? _hostKeyAlgorithmsOverride;
    private int _peerUnimplementedCount;

    /// <summary>The host key algorithms the server listed in its last KEXINIT (client role).</summary>
    public IReadOnlyList<string> PeerHostKeyAlgorithms { get; private set; } = [];

    /// <summary>
    /// Runs one more key exchange offering only <paramref name="hostKeyAlgorithm"/>, so the server presents (and the
    /// verifier sees) its key of that type; returns when the exchange is complete.
    /// </summary>
    /// <remarks>Only for a connection that carries nothing else yet (before user authentication): any other message that
    /// arrives meanwhile is dropped.</remarks>
    internal async Task RekeyForHostKeyAsync(string hostKeyAlgorithm, CancellationToken cancellationToken)
    {
        if (IsServer) throw new InvalidOperationException("only a client asks for a host key type");
        _hostKeyAlgorithmsOverride = [hostKeyAlgorithm];
        int before = KeyExchangeCount;
        int unimplemented = _peerUnimplementedCount;
        await StartRekeyAsync(cancellationToken).ConfigureAwait(false);
        while (KeyExchangeCount == before || _kexInProgress)
        {
            await ReceiveCoreAsync(cancellationToken).ConfigureAwait(false);
            // A server that takes no key exchange at this stage answers our KEXINIT with UNIMPLEMENTED and waits.
            if (_peerUnimplementedCount != unimplemented)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "the server takes no key exchange before authentication");
        }
    }
}
