using System.Security.Cryptography;

namespace Fumidai.Ssh.Kex;

/// <summary>An ephemeral key agreement negotiated in KEXINIT (ECDH, X25519, or the ML-KEM hybrid).</summary>
/// <remarks>
/// The shared secret is returned already encoded the way it enters the exchange hash and the key derivation
/// (RFC 4253 §7.2): as an <c>mpint</c> for classic ECDH (RFC 5656, RFC 8731), as a <c>string</c> for the hybrids.
/// Implementations must reject invalid peer points and an all-zero X25519 result.
/// </remarks>
internal abstract class KeyExchangeMethod
{
    public abstract string Name { get; }

    public abstract HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Server role: from the client's ephemeral (Q_C or C_INIT) produce the server's ephemeral and the shared secret.</summary>
    public abstract KexServerResult RespondAsServer(ReadOnlySpan<byte> clientEphemeral);

    /// <summary>Client role: make an ephemeral key pair whose public part goes into the INIT message.</summary>
    public abstract KexClientState StartAsClient();
}

/// <summary>What the server computes in one key exchange: its ephemeral public value and the encoded shared secret.</summary>
internal sealed record KexServerResult(byte[] ServerEphemeral, byte[] EncodedSharedSecret);

/// <summary>The client's half of one key exchange, holding its ephemeral private key until the reply arrives.</summary>
internal abstract class KexClientState : IDisposable
{
    /// <summary>Q_C or C_INIT, as sent in the INIT message.</summary>
    public abstract byte[] ClientEphemeral { get; }

    /// <summary>Computes the encoded shared secret from the server's ephemeral (Q_S or S_REPLY); throws SshProtocolException if invalid.</summary>
    public abstract byte[] ComputeSharedSecret(ReadOnlySpan<byte> serverEphemeral);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
