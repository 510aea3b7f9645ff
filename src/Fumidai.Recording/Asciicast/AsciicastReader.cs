using System.Text;
using System.Text.Json;

namespace Fumidai.Recording.Asciicast;

/// <summary>Reads an asciicast v2 file: the header line, then one event per line.</summary>
/// <remarks>
/// A recording may end mid-line when the recorder crashed or is still writing; such a line, and any other
/// line that is not a well-formed event, is skipped and counted rather than thrown on, so an auditor still
/// sees everything that was flushed.
/// </remarks>
public sealed class AsciicastReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly bool _ownsReader;
    private AsciicastHeader? _header;
    private bool _headerRead;

    /// <summary>Reads from a text reader; the caller keeps ownership of it.</summary>
    public AsciicastReader(TextReader reader)
    {
        _reader = reader;
    }

    /// <summary>Reads UTF-8 from a stream; the stream is left open.</summary>
    public AsciicastReader(Stream stream)
    {
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        _ownsReader = true;
    }

    /// <summary>Lines that were not valid events (truncated last line, garbage) and were skipped.</summary>
    public int SkippedLines { get; private set; }

    /// <summary>The header; throws <see cref="InvalidDataException"/> when the first line is not an asciicast v2 header.</summary>
    public AsciicastHeader Header => ReadHeader();

    /// <summary>Reads the whole file at <paramref name="path"/>.</summary>
    public static (AsciicastHeader Header, IReadOnlyList<AsciicastEvent> Events) ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new AsciicastReader(stream);
        var header = reader.Header;
        return (header, reader.ReadEvents().ToList());
    }

    /// <summary>Reads and parses the header line (once).</summary>
    public AsciicastHeader ReadHeader()
    {
        if (_headerRead)
            return _header ?? throw new InvalidDataException("Not an asciicast v2 recording.");
        _headerRead = true;
        string? line;
        do line = _reader.ReadLine(); while (line is not null && line.Length == 0);
        _header = line is null ? null : ParseHeader(line);
        return _header ?? throw new InvalidDataException("Not an asciicast v2 recording.");
    }

    /// <summary>Yields events in file order, skipping lines that do not parse.</summary>
    public IEnumerable<AsciicastEvent> ReadEvents()
    {
        ReadHeader();
        while (_reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            if (TryParseEvent(line, out var e))
                yield return e;
            else
                SkippedLines++;
        }
    }

    /// <summary>Parses one event line; false when it is not <c>[number, string, string]</c>.</summary>
    public static bool TryParseEvent(string line, out AsciicastEvent e)
    {
        e = default;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() < 3)
                return false;
            var t = root[0];
            var code = root[1];
            var data = root[2];
            if (t.ValueKind != JsonValueKind.Number || code.ValueKind != JsonValueKind.String || data.ValueKind != JsonValueKind.String)
                return false;
            double seconds = t.GetDouble();
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
                return false;
            AsciicastEventType? type = code.GetString() switch
            {
                "o" => AsciicastEventType.Output,
                "i" => AsciicastEventType.Input,
                "r" => AsciicastEventType.Resize,
                "m" => AsciicastEventType.Marker,
                _ => null,
            };
            if (type is null)
                return false;
            e = new AsciicastEvent(TimeSpan.FromSeconds(seconds), type.Value, data.GetString() ?? "");
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Parses one event line given as UTF-8 (a sealed chunk's bytes); the same answers as the string overload.</summary>
    /// <remarks>
    /// Reads the bytes in place: no UTF-16 copy of the line and no document, only the data string is made. Keyframes
    /// parse every recorded line again this way, so on a bulk session this is most of their cost. Invalid UTF-8, which
    /// the string overload would read with replacement characters, goes that way.
    /// </remarks>
    public static bool TryParseEvent(ReadOnlySpan<byte> line, out AsciicastEvent e)
    {
        e = default;
        if (!System.Text.Unicode.Utf8.IsValid(line)) return TryParseEvent(Encoding.UTF8.GetString(line), out e);
        try
        {
            var json = new Utf8JsonReader(line);
            if (!json.Read() || json.TokenType != JsonTokenType.StartArray) return false;
            if (!json.Read() || json.TokenType != JsonTokenType.Number || !json.TryGetDouble(out double seconds)) return false;
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2) return false;
            if (!json.Read() || json.TokenType != JsonTokenType.String) return false;
            AsciicastEventType? type = json.ValueTextEquals("o"u8) ? AsciicastEventType.Output
                : json.ValueTextEquals("i"u8) ? AsciicastEventType.Input
                : json.ValueTextEquals("r"u8) ? AsciicastEventType.Resize
                : json.ValueTextEquals("m"u8) ? AsciicastEventType.Marker
                : null;
            if (type is null) return false;
            if (!json.Read() || json.TokenType != JsonTokenType.String) return false;
            string data = json.GetString() ?? "";
            // Whatever follows must still be well-formed JSON closing the array, as a document parse requires.
            while (json.Read() && json.TokenType != JsonTokenType.EndArray) json.Skip();
            if (json.TokenType != JsonTokenType.EndArray || json.CurrentDepth != 0 || json.Read()) return false;
            e = new AsciicastEvent(TimeSpan.FromSeconds(seconds), type.Value, data);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static AsciicastHeader? ParseHeader(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != 2
                || !root.TryGetProperty("width", out var w) || !w.TryGetInt32(out int width)
                || !root.TryGetProperty("height", out var h) || !h.TryGetInt32(out int height))
                return null;
            long? timestamp = root.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out long tsv) ? tsv : null;
            string? title = root.TryGetProperty("title", out var ti) && ti.ValueKind == JsonValueKind.String ? ti.GetString() : null;
            Dictionary<string, string>? env = null;
            if (root.TryGetProperty("env", out var en) && en.ValueKind == JsonValueKind.Object)
            {
                env = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in en.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String)
                        env[p.Name] = p.Value.GetString()!;
            }
            return new AsciicastHeader(width, height) { Timestamp = timestamp, Title = title, Env = env };
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsReader)
            _reader.Dispose();
    }
}
