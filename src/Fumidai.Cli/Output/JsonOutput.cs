using System.Text.Encodings.Web;
using System.Text.Json;
using Fumidai.Ssh.Wire;

namespace Fumidai.Cli.Output;

/// <summary>JSON for scripts: camelCase names, indented, UTC times in ISO 8601.</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Non-ASCII names and details stay readable; output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the value line by line; the serializer escapes C0 controls, and <see cref="ControlText"/> (whose escapes are
    /// JSON's) the DEL, C1, bidi and other format characters it lets through, so the text is safe on a terminal and parses to the
    /// exact values.</summary>
    public static void Write<T>(TextWriter output, T value)
    {
        // Raw newlines in the serialized text are the indentation's: strings have theirs escaped.
        foreach (var line in JsonSerializer.Serialize(value, Options).Split('\n')) output.WriteLine(ControlText.Escape(line));
    }

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;
}
