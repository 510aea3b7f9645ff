using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fumidai.Recording.Asciicast;

/// <summary>Writes an asciicast v2 file that <c>asciinema play</c> accepts: a header line, then one event per line.</summary>
public sealed class AsciicastWriter : IDisposable
{
    // Relaxed escaping keeps non-ASCII text (Japanese file names) readable in the file; it is still valid JSON.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private bool _headerWritten;

    /// <summary>Writes to <paramref name="stream"/>; it is disposed with the writer unless <paramref name="leaveOpen"/>.</summary>
    public AsciicastWriter(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Writes the header line; must be called once, first.</summary>
    public void WriteHeader(AsciicastHeader header)
    {
        if (_headerWritten)
            throw new InvalidOperationException("The header was already written.");
        _headerWritten = true;
        _buffer.Clear();
        using (var json = new Utf8JsonWriter(_buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 2);
            json.WriteNumber("width", header.Width);
            json.WriteNumber("height", header.Height);
            if (header.Timestamp is { } ts)
                json.WriteNumber("timestamp", ts);
            if (header.Title is { } title)
                json.WriteString("title", title);
            if (header.Env is { } env)
            {
                json.WriteStartObject("env");
                foreach (var (k, v) in env)
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        Flush();
    }

    /// <summary>Writes one event line.</summary>
    public void WriteEvent(AsciicastEvent e) => WriteEvent(e.Time, e.Type, e.Data);

    /// <summary>Writes one event line.</summary>
    public void WriteEvent(TimeSpan time, AsciicastEventType type, string data) => WriteEventCore(time, type, data, default);

    /// <summary>Writes an event whose data is already valid UTF-8 (the recorder's fast path: no UTF-16 round trip).</summary>
    public void WriteEvent(TimeSpan time, AsciicastEventType type, ReadOnlySpan<byte> utf8Data) => WriteEventCore(time, type, null, utf8Data);

    private void WriteEventCore(TimeSpan time, AsciicastEventType type, string? text, ReadOnlySpan<byte> utf8)
    {
        if (!_headerWritten)
            throw new InvalidOperationException("Write the header first.");
        if (text is null && TryWriteFast(time, type, utf8))
        {
            Flush();
            return;
        }
        _buffer.Clear();
        using (var json = new Utf8JsonWriter(_buffer, Options))
        {
            json.WriteStartArray();
            // Microsecond precision, fixed notation: asciinema writes the same and players parse it as a float.
            json.WriteRawValue(Math.Round(time.Ticks / (double)TimeSpan.TicksPerSecond, 6).ToString("0.0#####", CultureInfo.InvariantCulture));
            json.WriteStringValue(AsciicastEvent.Code(type));
            if (text is not null) json.WriteStringValue(text);
            else json.WriteStringValue(utf8);
            json.WriteEndArray();
        }
        Flush();
    }

    /// <summary>The same line as the JSON writer makes, with the data escaped a run at a time; false leaves it to the writer.</summary>
    private bool TryWriteFast(TimeSpan time, AsciicastEventType type, ReadOnlySpan<byte> utf8)
    {
        _buffer.Clear();
        var head = _buffer.GetSpan(64);
        head[0] = (byte)'[';
        if (!Math.Round(time.Ticks / (double)TimeSpan.TicksPerSecond, 6).TryFormat(head[1..], out int written, "0.0#####", CultureInfo.InvariantCulture))
            return false;
        int n = 1 + written;
        head[n++] = (byte)',';
        head[n++] = (byte)'"';
        head[n++] = (byte)AsciicastEvent.Code(type)[0];
        head[n++] = (byte)'"';
        head[n++] = (byte)',';
        head[n++] = (byte)'"';
        _buffer.Advance(n);
        if (!JsonStringEscaper.TryWrite(utf8, _buffer)) return false;
        "\"]"u8.CopyTo(_buffer.GetSpan(2));
        _buffer.Advance(2);
        return true;
    }

    private void Flush()
    {
        // One write per line: the chunk writer sees whole events.
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        _stream.Write(_buffer.WrittenSpan);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
