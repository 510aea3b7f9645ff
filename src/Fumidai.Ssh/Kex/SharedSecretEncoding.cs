using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Kex;

/// <summary>Encodes a raw shared secret the way it enters the exchange hash and key derivation (RFC 4253 §7.2).</summary>
internal static class SharedSecretEncoding
{
    /// <summary>K as <c>mpint</c> of an unsigned big-endian magnitude (RFC 5656 §4, RFC 8731 §3.1).</summary>
    public static byte[] AsMpint(ReadOnlySpan<byte> magnitude)
    {
        // SshWriter clears its pooled buffer on Dispose, so the secret does not linger in the pool.
        using var writer = new SshWriter(magnitude.Length + 5);
        writer.WriteUnsignedMPInt(magnitude);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>K as <c>string</c>, used by the ML-KEM hybrids whose K is a hash output (draft-ietf-sshm-mlkem-hybrid-kex).</summary>
    public static byte[] AsString(ReadOnlySpan<byte> value)
    {
        using var writer = new SshWriter(value.Length + 4);
        writer.WriteBinary(value);
        return writer.WrittenSpan.ToArray();
    }
}
