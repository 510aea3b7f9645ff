using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary>One direction of AES-GCM packet protection (RFC 5647 with OpenSSH's amendments).</summary>
/// <remarks>
/// packet_length travels in clear as the additional authenticated data; padding_length‖payload‖padding is encrypted.
/// The 12-byte nonce is the 4-byte fixed field then the 8-byte invocation counter from the derived IV; the counter is
/// incremented after every packet (RFC 5647 §7.1), independently of the sequence number.
/// </remarks>
internal sealed class AesGcmPacketCipher : PacketCipher
{
    /// <summary>Bytes of nonce, and of the IV the key exchange derives for it.</summary>
    public const int NonceLength = 12;

    private const int GcmTagLength = 16;
    private const int LengthBytes = 4;
    private const int FixedFieldLength = 4;

    private readonly AesGcm _aes;
    private readonly byte[] _nonce = new byte[NonceLength];
    private bool _disposed;

    public AesGcmPacketCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (iv.Length != NonceLength)
        {
            throw new ArgumentException($"AES-GCM needs a {NonceLength}-byte IV.", nameof(iv));
        }

        _aes = new AesGcm(key, GcmTagLength);
        iv.CopyTo(_nonce);
    }

    public override int BlockSize => 16;

    public override int TagLength => GcmTagLength;

    public override bool LengthOutsidePadding => true;

    public override uint DecryptLength(uint sequenceNumber, Span<byte> prefix) => BinaryPrimitives.ReadUInt32BigEndian(prefix);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        Span<byte> body = packet[LengthBytes..];
        _aes.Encrypt(_nonce, body, body, tag[..GcmTagLength], packet[..LengthBytes]);
        IncrementInvocationCounter();
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        if (tag.Length != GcmTagLength)
        {
            return false;
        }

        Span<byte> body = packet[LengthBytes..];
        try
        {
            _aes.Decrypt(_nonce, body, tag, body, packet[..LengthBytes]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            IncrementInvocationCounter();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_nonce);
            _disposed = true;
        }
        base.Dispose(disposing);
    }

    private void IncrementInvocationCounter()
    {
        // RFC 5647 §7.1: the 64-bit invocation counter wraps modulo 2^64; the fixed field never changes.
        Span<byte> counter = _nonce.AsSpan(FixedFieldLength);
        BinaryPrimitives.WriteUInt64BigEndian(counter, BinaryPrimitives.ReadUInt64BigEndian(counter) + 1);
    }

    private static void CheckPacket(Span<byte> packet)
    {
        if (packet.Length < LengthBytes)
        {
            throw new ArgumentException("A packet holds at least its 4-byte length.", nameof(packet));
        }
    }
}
