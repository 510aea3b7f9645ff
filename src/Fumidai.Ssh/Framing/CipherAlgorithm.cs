namespace Fumidai.Ssh.Framing;

/// <summary>A negotiable encryption algorithm: its SSH name and the key material it needs.</summary>
internal abstract class CipherAlgorithm
{
    public abstract string Name { get; }

    public abstract int KeyLength { get; }

    public abstract int IvLength { get; }

    /// <summary>True for AEAD ciphers, which carry their own integrity: the negotiated MAC is then ignored (RFC 5647 §5.1, PROTOCOL.chacha20poly1305).</summary>
    public abstract bool IsAead { get; }

    /// <summary>Creates one direction's protection; <paramref name="mac"/> is null exactly when <see cref="IsAead"/>.</summary>
    /// <param name="forSealing">True for the sending direction, false for the receiving one.</param>
    public abstract PacketCipher Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, MacAlgorithm? mac, ReadOnlySpan<byte> macKey, bool forSealing);
}
