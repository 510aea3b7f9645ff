namespace Fumidai.Recording.Asciicast;

/// <summary>One asciicast v2 event line: <c>[time, code, data]</c>.</summary>
public readonly record struct AsciicastEvent(TimeSpan Time, AsciicastEventType Type, string Data)
{
    /// <summary>Shorthand for an output event.</summary>
    public static AsciicastEvent Output(TimeSpan time, string data) => new(time, AsciicastEventType.Output, data);

    /// <summary>Shorthand for an input event.</summary>
    public static AsciicastEvent Input(TimeSpan time, string data) => new(time, AsciicastEventType.Input, data);

    /// <summary>Shorthand for a resize event.</summary>
    public static AsciicastEvent Resize(TimeSpan time, int columns, int rows) =>
        new(time, AsciicastEventType.Resize, $"{columns}x{rows}");

    /// <summary>Parses the data of a resize event; false when it is not <c>COLSxROWS</c>.</summary>
    public bool TryGetSize(out int columns, out int rows)
    {
        columns = rows = 0;
        int x = Data.IndexOf('x');
        return Type == AsciicastEventType.Resize && x > 0
            && int.TryParse(Data.AsSpan(0, x), out columns) && int.TryParse(Data.AsSpan(x + 1), out rows)
            && columns > 0 && rows > 0;
    }

    internal static string Code(AsciicastEventType type) => type switch
    {
        AsciicastEventType.Output => "o",
        AsciicastEventType.Input => "i",
        AsciicastEventType.Resize => "r",
        _ => "m",
    };
}
