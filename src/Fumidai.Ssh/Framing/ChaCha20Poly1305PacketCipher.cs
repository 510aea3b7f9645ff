using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary>One direction of <c>chacha20-poly1305@openssh.com</c> (OpenSSH PROTOCOL.chacha20poly1305).</summary>
/// <remarks>
/// K_2, the first 32 key bytes, encrypts padding_length‖payload‖padding from block counter 1 and yields the Poly1305
/// key from block 0; K_1, the last 32 bytes, encrypts the 4-byte packet_length. The nonce is the sequence number as a
/// 64-bit big-endian integer, and the tag covers the encrypted length and the encrypted body, which are contiguous.
/// </remarks>
internal sealed class ChaCha20Poly1305PacketCipher : PacketCipher
{
    /// <summary>Bytes of key material: K_2 then K_1.</summary>
    public const int KeyLength = 2 * Sodium.ChaCha20KeyBytes;

    private const int LengthBytes = 4;

    // [0..32) = K_2 (main), [32..64) = K_1 (header), as in OpenSSH's chachapoly_init.
    private readonly byte[] _key;
    private bool _disposed;

    public ChaCha20Poly1305PacketCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"chacha20-poly1305@openssh.com needs a {KeyLength}-byte key.", nameof(key));
        }

        Sodium.EnsureInitialized();
        _key = GC.AllocateUninitializedArray<byte>(KeyLength, pinned: true);
        key.CopyTo(_key);
    }

    public override int BlockSize => 8;

    public override int TagLength => Sodium.Poly1305TagBytes;

    public override bool LengthOutsidePadding => true;

    private ReadOnlySpan<byte> MainKey => _key.AsSpan(0, Sodium.ChaCha20KeyBytes);

    private ReadOnlySpan<byte> HeaderKey => _key.AsSpan(Sodium.ChaCha20KeyBytes, Sodium.ChaCha20KeyBytes);

    /// <remarks>Leaves <paramref name="prefix"/> encrypted: the tag is computed over the encrypted length.</remarks>
    public override uint DecryptLength(uint sequenceNumber, Span<byte> prefix)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> nonce = stackalloc byte[Sodium.ChaCha20NonceBytes];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequenceNumber);
        Span<byte> length = stackalloc byte[LengthBytes];
        prefix[..LengthBytes].CopyTo(length);
        Sodium.ChaCha20Xor(length, nonce, 0, HeaderKey);
        return BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        Span<byte> nonce = stackalloc byte[Sodium.ChaCha20NonceBytes];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequenceNumber);
        Span<byte> polyKey = stackalloc byte[Sodium.Poly1305KeyBytes];
        try
        {
            Sodium.ChaCha20Xor(packet[..LengthBytes], nonce, 0, HeaderKey);
            Sodium.ChaCha20Xor(packet[LengthBytes..], nonce, 1, MainKey);
            Sodium.ChaCha20Stream(polyKey, nonce, MainKey);
            Sodium.Poly1305(tag[..Sodium.Poly1305TagBytes], packet, polyKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(polyKey);
        }
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPacket(packet);
        Span<byte> nonce = stackalloc byte[Sodium.ChaCha20NonceBytes];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequenceNumber);
        Span<byte> polyKey = stackalloc byte[Sodium.Poly1305KeyBytes];
        try
        {
            Sodium.ChaCha20Stream(polyKey, nonce, MainKey);
            if (!Sodium.Poly1305Verify(tag, packet, polyKey))
            {
                return false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(polyKey);
        }

        // Decrypt only what was authenticated; the length is decrypted too so every cipher leaves a clear packet.
        Sodium.ChaCha20Xor(packet[LengthBytes..], nonce, 1, MainKey);
        Sodium.ChaCha20Xor(packet[..LengthBytes], nonce, 0, HeaderKey);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
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
