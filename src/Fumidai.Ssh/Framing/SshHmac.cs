using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary>The SSH packet MAC, HMAC(key, uint32 sequence_number ‖ bytes) (RFC 4253 §6.4), keyed once per direction.</summary>
internal sealed class SshHmac : IDisposable
{
    private const int MaxTagLength = 64;

    private readonly IncrementalHash _hmac;

    public SshHmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, int tagLength)
    {
        _hmac = IncrementalHash.CreateHMAC(hash, key);
        TagLength = tagLength;
    }

    public int TagLength { get; }

    public void Compute(uint sequenceNumber, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        Span<byte> sequence = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sequence, sequenceNumber);
        _hmac.AppendData(sequence);
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(tag[..TagLength]);
    }

    /// <summary>Recomputes the MAC and compares it in constant time.</summary>
    public bool Verify(uint sequenceNumber, ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        if (tag.Length != TagLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MaxTagLength];
        expected = expected[..TagLength];
        Compute(sequenceNumber, data, expected);
        bool equal = CryptographicOperations.FixedTimeEquals(expected, tag);
        CryptographicOperations.ZeroMemory(expected);
        return equal;
    }

    public void Dispose() => _hmac.Dispose();
}
