namespace Fumidai.Recording.Asciicast;

/// <summary>The first line of an asciicast v2 file: terminal size, start time and optional metadata.</summary>
public sealed record AsciicastHeader(int Width, int Height)
{
    /// <summary>Format version; only 2 is written or accepted.</summary>
    public int Version { get; init; } = 2;

    /// <summary>Start of the recording, as Unix seconds; null when the file does not say.</summary>
    public long? Timestamp { get; init; }

    /// <summary>Human-readable title, as written by <c>asciinema rec -t</c>.</summary>
    public string? Title { get; init; }

    /// <summary>Environment captured at recording time (usually SHELL and TERM).</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}
