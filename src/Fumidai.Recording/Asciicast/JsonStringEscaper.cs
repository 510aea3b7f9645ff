using System.Buffers;
using System.Text.Encodings.Web;

namespace Fumidai.Recording.Asciicast;

/// <summary>
/// Writes valid UTF-8 as a JSON string body exactly as <see cref="System.Text.Json.Utf8JsonWriter"/> does with
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>, but a run at a time instead of a character at a time.
/// </summary>
/// <remarks>
/// The recorder's hot path: binary output (runs of NULs, escape sequences) went through the encoder's per-character
/// slow path, which cost more than the SSH cipher. Printable ASCII is copied in bulk, control bytes come from a table,
/// and non-ASCII runs are copied as they are when the encoder would leave them so; when it would not (a code point it
/// escapes, such as U+2028), <see cref="TryWrite"/> returns false and the caller falls back to the writer.
/// </remarks>
internal static class JsonStringEscaper
{
    // Bytes that need a look: controls, the quote, the backslash, DEL and everything non-ASCII.
    private static readonly SearchValues<byte> Special = SearchValues.Create(SpecialBytes());

    private static readonly byte[][] Escapes = BuildEscapes();

    /// <summary>Appends the escaped form of <paramref name="utf8"/> (valid UTF-8) to <paramref name="output"/>; false if a non-ASCII character needs the encoder.</summary>
    /// <remarks>On false, <paramref name="output"/> holds a partial result: the caller discards it.</remarks>
    public static bool TryWrite(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        while (!utf8.IsEmpty)
        {
            int plain = utf8.IndexOfAny(Special);
            if (plain < 0) plain = utf8.Length;
            if (plain > 0)
            {
                utf8[..plain].CopyTo(output.GetSpan(plain));
                output.Advance(plain);
                utf8 = utf8[plain..];
                if (utf8.IsEmpty) break;
            }
            byte b = utf8[0];
            if (b >= 0x80)
            {
                // A maximal run of non-ASCII bytes in valid UTF-8 holds whole characters.
                int run = utf8.IndexOfAnyInRange((byte)0, (byte)0x7F);
                if (run < 0) run = utf8.Length;
                var chars = utf8[..run];
                if (JavaScriptEncoder.UnsafeRelaxedJsonEscaping.FindFirstCharacterToEncodeUtf8(chars) >= 0) return false;
                chars.CopyTo(output.GetSpan(run));
                output.Advance(run);
                utf8 = utf8[run..];
                continue;
            }
            // A run of one escaped byte (a screen of NULs): the same few bytes again and again.
            int same = utf8.IndexOfAnyExcept(b);
            if (same < 0) same = utf8.Length;
            var escape = Escapes[b];
            var span = output.GetSpan(same * escape.Length);
            for (int i = 0; i < same; i++) escape.CopyTo(span[(i * escape.Length)..]);
            output.Advance(same * escape.Length);
            utf8 = utf8[same..];
        }
        return true;
    }

    private static byte[] SpecialBytes()
    {
        var bytes = new List<byte>();
        for (int b = 0; b < 256; b++)
            if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7F) bytes.Add((byte)b);
        return [.. bytes];
    }

    private static byte[][] BuildEscapes()
    {
        var table = new byte[0x80][];
        for (int b = 0; b < 0x80; b++)
        {
            table[b] = b switch
            {
                '"' => "\\\""u8.ToArray(),
                '\\' => "\\\\"u8.ToArray(),
                '\n' => "\\n"u8.ToArray(),
                '\r' => "\\r"u8.ToArray(),
                '\t' => "\\t"u8.ToArray(),
                '\b' => "\\b"u8.ToArray(),
                '\f' => "\\f"u8.ToArray(),
                < 0x20 or 0x7F => System.Text.Encoding.ASCII.GetBytes($"\\u{b:X4}"),
                _ => [(byte)b],
            };
        }
        return table;
    }
}
