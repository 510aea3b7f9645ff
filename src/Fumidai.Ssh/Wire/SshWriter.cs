using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fumidai.Ssh.Wire;

/// <summary>Encodes RFC 4251 §5 data types into a growable pooled buffer.</summary>
/// <remarks>
/// The transport builds packets in place: a writer created with <see cref="ForPacket"/> leaves room for the
/// packet_length and padding_length fields in front of the payload so that sealing needs no copy.
/// </remarks>
public sealed class SshWriter : IDisposable
{
    /// <summary>Bytes reserved by <see cref="ForPacket"/> in front of the payload: uint32 packet_length + byte padding_length.</summary>
    public const int PacketHeaderSize = 5;

    private byte[] _buffer;
    private int _length;
    private readonly int _start;

    public SshWriter(int capacity = 256) : this(capacity, 0)
    {
    }

    private SshWriter(int capacity, int reserve)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity + reserve, 64));
        _start = reserve;
        _length = reserve;
    }

    /// <summary>A writer for one message payload, with the packet header reserved in front.</summary>
    public static SshWriter ForPacket(MessageNumber message, int capacity = 256)
    {
        var writer = new SshWriter(capacity, PacketHeaderSize);
        writer.WriteByte((byte)message);
        return writer;
    }

    /// <summary>The encoded bytes (without any reserved header).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(_start, _length - _start);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(_start, _length - _start);

    public int Length => _length - _start;

    /// <summary>The underlying buffer including the reserved header; for the packet writer only.</summary>
    internal byte[] RawBuffer => _buffer;

    internal int RawLength => _length;

    internal int ReservedHeader => _start;

    /// <summary>Grows the buffer so that <paramref name="extra"/> more bytes fit and returns the span to fill.</summary>
    public Span<byte> GetSpan(int extra)
    {
        EnsureCapacity(extra);
        return _buffer.AsSpan(_length, extra);
    }

    public void Advance(int count) => _length += count;

    public void WriteByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    public void WriteMessageNumber(MessageNumber value) => WriteByte((byte)value);

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt32(uint value)
    {
        EnsureCapacity(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteUInt64(ulong value)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        EnsureCapacity(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes a <c>string</c> of raw bytes.</summary>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes a <c>string</c> holding UTF-8 text.</summary>
    public void WriteString(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        EnsureCapacity(4 + max);
        int count = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), (uint)count);
        _length += 4 + count;
    }

    public void WriteNameList(IEnumerable<string> names) => WriteString(string.Join(',', names));

    /// <summary>Writes a non-negative integer given as unsigned big-endian magnitude, as a minimal <c>mpint</c>.</summary>
    public void WriteUnsignedMPInt(ReadOnlySpan<byte> magnitude)
    {
        int skip = 0;
        while (skip < magnitude.Length && magnitude[skip] == 0) skip++;
        magnitude = magnitude[skip..];
        bool pad = magnitude.Length > 0 && magnitude[0] >= 0x80;
        WriteUInt32((uint)(magnitude.Length + (pad ? 1 : 0)));
        if (pad) WriteByte(0);
        WriteRaw(magnitude);
    }

    /// <summary>Set once the packet was encrypted in place: the buffer then holds only ciphertext and need not be wiped.</summary>
    /// <remarks>Wiping every 32 KiB data packet on return showed up as memset in a profile of the relay.</remarks>
    internal bool Sealed { get; set; }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        int size = Math.Max(_buffer.Length * 2, _length + extra);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer, clearArray: !Sealed);
    }
}
