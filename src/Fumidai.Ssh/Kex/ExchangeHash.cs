using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Kex;

/// <summary>The exchange hash H of an ECDH-style key exchange (RFC 5656 §4, RFC 8731 §3, the ML-KEM hybrid draft).</summary>
internal static class ExchangeHash
{
    /// <summary>H = HASH(string V_C || string V_S || string I_C || string I_S || string K_S || string Q_C || string Q_S || K).</summary>
    /// <param name="clientVersion">V_C: the client's identification line without CR LF.</param>
    /// <param name="serverVersion">V_S: the server's identification line without CR LF.</param>
    /// <param name="clientKexInit">I_C: the client's whole KEXINIT payload, starting with byte 20.</param>
    /// <param name="serverKexInit">I_S: the server's whole KEXINIT payload, starting with byte 20.</param>
    /// <param name="hostKeyBlob">K_S: the server host key blob as sent in the reply.</param>
    /// <param name="clientEphemeral">Q_C or C_INIT.</param>
    /// <param name="serverEphemeral">Q_S or S_REPLY.</param>
    /// <param name="encodedK">K already encoded (mpint or string, with its length prefix) as the method returned it.</param>
    public static byte[] Compute(HashAlgorithmName hash, string clientVersion, string serverVersion,
        ReadOnlySpan<byte> clientKexInit, ReadOnlySpan<byte> serverKexInit, ReadOnlySpan<byte> hostKeyBlob,
        ReadOnlySpan<byte> clientEphemeral, ReadOnlySpan<byte> serverEphemeral, ReadOnlySpan<byte> encodedK)
    {
        if (clientVersion.Contains('\r') || clientVersion.Contains('\n') || serverVersion.Contains('\r') || serverVersion.Contains('\n'))
            throw new ArgumentException("version lines go into H without CR LF");

        // The writer clears its pooled buffer on Dispose: the input contains K.
        using var writer = new SshWriter(clientKexInit.Length + serverKexInit.Length + hostKeyBlob.Length
            + clientEphemeral.Length + serverEphemeral.Length + encodedK.Length + 512);
        writer.WriteString(clientVersion);
        writer.WriteString(serverVersion);
        writer.WriteBinary(clientKexInit);
        writer.WriteBinary(serverKexInit);
        writer.WriteBinary(hostKeyBlob);
        writer.WriteBinary(clientEphemeral);
        writer.WriteBinary(serverEphemeral);
        writer.WriteRaw(encodedK);

        using var hasher = IncrementalHash.CreateHash(hash);
        hasher.AppendData(writer.WrittenSpan);
        return hasher.GetHashAndReset();
    }
}
