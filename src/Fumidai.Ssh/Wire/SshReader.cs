using System.Buffers.Binary;
using System.Text;

namespace Fumidai.Ssh.Wire;

/// <summary>Decodes RFC 4251 §5 data types from a message, checking every length against what remains.</summary>
public ref struct SshReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public SshReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool AtEnd => _position == _buffer.Length;

    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    public byte ReadByte()
    {
        if (Remaining < 1) throw SshProtocolException.Malformed("message: truncated byte");
        return _buffer[_position++];
    }

    public MessageNumber ReadMessageNumber() => (MessageNumber)ReadByte();

    public bool ReadBoolean() => ReadByte() != 0;

    public uint ReadUInt32()
    {
        if (Remaining < 4) throw SshProtocolException.Malformed("message: truncated uint32");
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        if (Remaining < 8) throw SshProtocolException.Malformed("message: truncated uint64");
        ulong value = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads a <c>string</c> (uint32 length + bytes) as raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBinary(int maxLength = int.MaxValue)
    {
        uint length = ReadUInt32();
        if (length > (uint)Remaining) throw SshProtocolException.Malformed("message: string length exceeds message");
        if (length > (uint)maxLength) throw SshProtocolException.Malformed("message: string longer than allowed");
        var value = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    /// <summary>Reads a <c>string</c> that must be valid UTF-8 text.</summary>
    public string ReadString(int maxLength = SshLimits.MaxIdentifierLength)
    {
        var bytes = ReadBinary(maxLength);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw SshProtocolException.Malformed("message: string is not UTF-8");
        }
    }

    /// <summary>Reads a <c>name-list</c>: comma-separated non-empty US-ASCII names.</summary>
    public string[] ReadNameList(int maxLength = SshLimits.MaxNameListLength)
    {
        var bytes = ReadBinary(maxLength);
        if (bytes.IsEmpty) return [];
        int names = 1;
        foreach (byte b in bytes)
        {
            if (b == (byte)',') names++;
            else if (b <= 0x20 || b >= 0x7f) throw SshProtocolException.Malformed("name-list: non-printable character");
        }
        if (names > SshLimits.MaxNames) throw SshProtocolException.Malformed("name-list: too many names");
        var result = Encoding.ASCII.GetString(bytes).Split(',');
        foreach (var name in result)
        {
            if (name.Length == 0) throw SshProtocolException.Malformed("name-list: empty name");
        }
        return result;
    }

    /// <summary>Reads an <c>mpint</c>, returning its two's-complement big-endian bytes (may carry a leading zero).</summary>
    public ReadOnlySpan<byte> ReadMPInt(int maxLength = 16 * 1024 + 1)
    {
        var bytes = ReadBinary(maxLength);
        // RFC 4251 forbids unnecessary leading 0x00 or 0xff bytes.
        if (bytes.Length > 1 && ((bytes[0] == 0 && bytes[1] < 0x80) || (bytes[0] == 0xff && bytes[1] >= 0x80)))
            throw SshProtocolException.Malformed("mpint: non-minimal encoding");
        return bytes;
    }

    /// <summary>Reads a non-negative <c>mpint</c> and returns its magnitude without the sign byte.</summary>
    public ReadOnlySpan<byte> ReadUnsignedMPInt(int maxLength = 16 * 1024 + 1)
    {
        var bytes = ReadMPInt(maxLength);
        if (!bytes.IsEmpty && bytes[0] >= 0x80) throw SshProtocolException.Malformed("mpint: negative where unsigned expected");
        return bytes.Length > 0 && bytes[0] == 0 ? bytes[1..] : bytes;
    }

    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count < 0 || count > Remaining) throw SshProtocolException.Malformed("message: truncated");
        var value = _buffer.Slice(_position, count);
        _position += count;
        return value;
    }

    /// <summary>Fails unless the whole message was consumed.</summary>
    public readonly void EnsureEnd(string what)
    {
        if (!AtEnd) throw SshProtocolException.Malformed(what + ": trailing bytes");
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
