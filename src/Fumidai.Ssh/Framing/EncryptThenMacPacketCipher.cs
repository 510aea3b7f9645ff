using System.Buffers.Binary;

namespace Fumidai.Ssh.Framing;

/// <summary>Encrypt-then-MAC packet protection (OpenSSH PROTOCOL §1.5): packet_length in clear, the MAC covers the ciphertext.</summary>
/// <remarks>The MAC is checked before anything is decrypted, so forged packets never reach the cipher.</remarks>
internal sealed class EncryptThenMacPacketCipher : PacketCipher
{
    private const int LengthBytes = 4;

    private readonly AesCtrKeystream _cipher;
    private readonly SshHmac _mac;
    private bool _disposed;

    public EncryptThenMacPacketCipher(AesCtrKeystream cipher, SshHmac mac)
    {
        _cipher = cipher;
        _mac = mac;
    }

    public override int BlockSize => AesCtrKeystream.BlockSize;

    public override int TagLength => _mac.TagLength;

    public override bool LengthOutsidePadding => true;

    public override uint DecryptLength(uint sequenceNumber, Span<byte> prefix) => BinaryPrimitives.ReadUInt32BigEndian(prefix);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        _cipher.Transform(packet[LengthBytes..]);
        _mac.Compute(sequenceNumber, packet, tag);
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        if (!_mac.Verify(sequenceNumber, packet, tag))
        {
            return false;
        }

        _cipher.Transform(packet[LengthBytes..]);
        return true;
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

    private static void CheckPacket(Span<byte> packet)
    {
        if (packet.Length < LengthBytes)
        {
            throw new ArgumentException("A packet holds at least its 4-byte length.", nameof(packet));
        }
    }
}
