using System.Buffers.Binary;

namespace Fumidai.Ssh.Framing;

/// <summary>RFC 4253 §6 packet protection: the MAC covers sequence number and plaintext, the whole packet is encrypted.</summary>
/// <remarks>
/// The length is encrypted too, so the reader must decrypt a first cipher block to learn it; the MAC can be checked
/// only after the whole packet is decrypted.
/// </remarks>
internal sealed class EncryptAndMacPacketCipher : PacketCipher
{
    private readonly AesCtrKeystream _cipher;
    private readonly SshHmac _mac;
    private bool _disposed;

    public EncryptAndMacPacketCipher(AesCtrKeystream cipher, SshHmac mac)
    {
        _cipher = cipher;
        _mac = mac;
    }

    public override int BlockSize => AesCtrKeystream.BlockSize;

    public override int TagLength => _mac.TagLength;

    public override bool LengthOutsidePadding => false;

    public override int LengthPrefixSize => AesCtrKeystream.BlockSize;

    /// <remarks>Decrypts the first block in place; <see cref="Open"/> continues after it.</remarks>
    public override uint DecryptLength(uint sequenceNumber, Span<byte> prefix)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> firstBlock = prefix[..AesCtrKeystream.BlockSize];
        _cipher.Transform(firstBlock);
        return BinaryPrimitives.ReadUInt32BigEndian(firstBlock);
    }

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _mac.Compute(sequenceNumber, packet, tag);
        _cipher.Transform(packet);
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (packet.Length < AesCtrKeystream.BlockSize)
        {
            throw new ArgumentException("A packet holds at least one cipher block.", nameof(packet));
        }

        _cipher.Transform(packet[AesCtrKeystream.BlockSize..]);
        return _mac.Verify(sequenceNumber, packet, tag);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _cipher.Dispose();
            _mac.Dispose();
            _disposed = true;
        }
        base.Dispose(disposing);
    }
}
