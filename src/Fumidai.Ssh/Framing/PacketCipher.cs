namespace Fumidai.Ssh.Framing;

/// <summary>One direction's packet protection: encryption plus integrity (a cipher with a MAC, or an AEAD).</summary>
/// <remarks>
/// The framing layer owns sequence numbers, padding and length limits; a cipher only transforms bytes in place.
/// A packet here is the whole binary packet: uint32 packet_length, byte padding_length, payload, padding.
/// The MAC or tag travels after it and is handled through separate spans.
/// </remarks>
internal abstract class PacketCipher : IDisposable
{
    /// <summary>Padding alignment in bytes (at least 8, RFC 4253 §6).</summary>
    public abstract int BlockSize { get; }

    /// <summary>Bytes of MAC or authentication tag after each packet (0 for none).</summary>
    public abstract int TagLength { get; }

    /// <summary>
    /// True when packet_length stays out of the padded, encrypted body (AEAD and encrypt-then-MAC modes); padding then
    /// aligns padding_length‖payload‖padding instead of the whole packet.
    /// </summary>
    public abstract bool LengthOutsidePadding { get; }

    /// <summary>Bytes the reader must have before <see cref="DecryptLength"/> can tell the length (4, or a cipher block).</summary>
    public virtual int LengthPrefixSize => 4;

    /// <summary>Returns packet_length from the first <see cref="LengthPrefixSize"/> bytes; may decrypt them in place.</summary>
    /// <remarks>Called exactly once per packet, before <see cref="Open"/> on the same bytes.</remarks>
    public abstract uint DecryptLength(uint sequenceNumber, Span<byte> prefix);

    /// <summary>Encrypts <paramref name="packet"/> in place and writes its MAC or tag into <paramref name="tag"/>.</summary>
    public abstract void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag);

    /// <summary>Authenticates and decrypts <paramref name="packet"/> in place (its prefix as left by <see cref="DecryptLength"/>).</summary>
    /// <returns>False when the MAC or tag does not verify; the packet content is then undefined.</returns>
    public abstract bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
