namespace Fumidai.Recording.Recorder;

/// <summary>Cuts a byte stream at UTF-8 character boundaries: an incomplete trailing sequence waits for the next chunk.</summary>
/// <remarks>
/// Lets the recorder hand whole UTF-8 text straight to the JSON writer, without decoding to UTF-16 and encoding back,
/// which costs more than everything else the recorder does on a fast session.
/// </remarks>
internal sealed class Utf8Carry
{
    private readonly byte[] _tail = new byte[3];
    private int _tailLength;
    private byte[] _joined = [];

    /// <summary>The complete characters available now (valid until the next call); the rest is kept.</summary>
    public ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> all = data;
        if (_tailLength > 0)
        {
            int length = _tailLength + data.Length;
            if (_joined.Length < length) _joined = new byte[Math.Max(length, _joined.Length * 2)];
            _tail.AsSpan(0, _tailLength).CopyTo(_joined);
            data.CopyTo(_joined.AsSpan(_tailLength));
            all = _joined.AsSpan(0, length);
            _tailLength = 0;
        }
        int cut = IncompleteTailStart(all);
        all[cut..].CopyTo(_tail);
        _tailLength = all.Length - cut;
        return all[..cut];
    }

    /// <summary>Where a trailing, not yet complete, multi-byte sequence starts; the length when there is none.</summary>
    internal static int IncompleteTailStart(ReadOnlySpan<byte> text)
    {
        for (int back = 1; back <= 3 && back <= text.Length; back++)
        {
            byte b = text[^back];
            if ((b & 0xC0) == 0x80) continue;
            int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? text.Length - back : text.Length;
        }
        // Only continuation bytes at the end (or nothing): invalid or complete, either way not ours to hold.
        return text.Length;
    }
}
