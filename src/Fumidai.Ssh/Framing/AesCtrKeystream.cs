using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary>AES in counter mode (RFC 4344 §4): a 128-bit big-endian counter, encrypted with AES-ECB and XORed in.</summary>
/// <remarks>
/// .NET has no CTR mode, so the keystream for a whole span is made in one ECB transform call over a buffer of consecutive
/// counter blocks, which lets the AES-NI pipeline run wide. The buffer is pooled and grows to the largest span seen.
/// SSH keeps every encrypted span a multiple of the block size, so the stream never stops inside a block.
/// </remarks>
internal sealed class AesCtrKeystream : IDisposable
{
    public const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private ulong _counterHigh;
    private ulong _counterLow;
    private byte[] _blocks;
    private bool _disposed;

    public AesCtrKeystream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialCounter)
    {
        if (initialCounter.Length != BlockSize)
        {
            throw new ArgumentException("AES-CTR needs a 16-byte initial counter.", nameof(initialCounter));
        }

        _aes = Aes.Create();
        _aes.SetKey(key);
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        // A long-lived ECB transform keeps one native cipher context: the one-shot EncryptEcb would set up (and
        // allocate) a fresh one for every packet.
        _ecb = _aes.CreateEncryptor();
        _counterHigh = BinaryPrimitives.ReadUInt64BigEndian(initialCounter);
        _counterLow = BinaryPrimitives.ReadUInt64BigEndian(initialCounter[8..]);
        _blocks = ArrayPool<byte>.Shared.Rent(4096);
    }

    /// <summary>Encrypts or decrypts <paramref name="data"/> in place, continuing the stream where it stopped.</summary>
    public void Transform(Span<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length % BlockSize != 0)
        {
            throw new ArgumentException("AES-CTR spans must be whole blocks.", nameof(data));
        }

        if (data.IsEmpty)
        {
            return;
        }

        if (_blocks.Length < data.Length)
        {
            Grow(data.Length);
        }

        Span<byte> keystream = _blocks.AsSpan(0, data.Length);
        for (int offset = 0; offset < keystream.Length; offset += BlockSize)
        {
            BinaryPrimitives.WriteUInt64BigEndian(keystream[offset..], _counterHigh);
            BinaryPrimitives.WriteUInt64BigEndian(keystream[(offset + 8)..], _counterLow);
            _counterLow++;
            if (_counterLow == 0)
            {
                _counterHigh++;
            }
        }

        _ecb.TransformBlock(_blocks, 0, data.Length, _blocks, 0);
        Xor(data, keystream);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _ecb.Dispose();
            _aes.Dispose();
            ArrayPool<byte>.Shared.Return(_blocks, clearArray: true);
            _blocks = [];
            _counterHigh = _counterLow = 0;
            _disposed = true;
        }
    }

    private void Grow(int length)
    {
        ArrayPool<byte>.Shared.Return(_blocks, clearArray: true);
        _blocks = ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>data ^= keystream, 32 or 16 bytes at a time.</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int length = data.Length;
        ref byte d = ref MemoryMarshal.GetReference(data);
        ref byte k = ref MemoryMarshal.GetReference(keystream);
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; (int)i + Vector256<byte>.Count <= length; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref d, i) ^ Vector256.LoadUnsafe(ref k, i)).StoreUnsafe(ref d, i);
            }
        }

        for (; (int)i + Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
        {
            (Vector128.LoadUnsafe(ref d, i) ^ Vector128.LoadUnsafe(ref k, i)).StoreUnsafe(ref d, i);
        }

        for (; (int)i < length; i++)
        {
            Unsafe.Add(ref d, i) ^= Unsafe.Add(ref k, i);
        }
    }
}
