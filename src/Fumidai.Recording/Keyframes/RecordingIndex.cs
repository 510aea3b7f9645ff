namespace Fumidai.Recording.Keyframes;

/// <summary>
/// What a player needs to open a verified recording anywhere: its windows (runs of events, each inside one chunk, that a
/// viewer fetches one at a time), its markers and its length. Derived from the chunks; it names the final chain value of the
/// manifest it was built from and is used only with that manifest.
/// </summary>
/// <param name="FinalChain">The manifest's final chain value, which commits to every chunk's hash.</param>
/// <param name="Columns">Terminal width at the start (the asciicast header's).</param>
/// <param name="Rows">Terminal height at the start.</param>
/// <param name="Duration">Time of the last event shown, in microseconds.</param>
/// <param name="Windows">In time order; the first starts at 0, and starts strictly increase.</param>
/// <param name="Markers">The recording's <c>m</c> events (target, exec, exit status, nested hops).</param>
public sealed record RecordingIndex(string FinalChain, int Columns, int Rows, long Duration, IReadOnlyList<RecordingWindowMark> Windows,
    IReadOnlyList<RecordingMarker> Markers)
{
    /// <summary>The window holding time <paramref name="micros"/>: the last one starting at or before it.</summary>
    public int WindowAt(long micros)
    {
        int low = 0, high = Windows.Count;
        while (low + 1 < high)
        {
            int middle = (low + high) / 2;
            if (Windows[middle].Start <= micros) low = middle;
            else high = middle;
        }
        return low;
    }

    /// <summary>Where window <paramref name="index"/> ends: the next one's start (exclusive), or the duration (inclusive) for the last.</summary>
    public long EndOf(int index) => index + 1 < Windows.Count ? Windows[index + 1].Start : Duration;
}

/// <summary>A window: its start in microseconds (its first event is shown at exactly this time), its chunk, and the byte offset of its first event's line in the chunk's text.</summary>
public sealed record RecordingWindowMark(long Start, int Chunk, int Offset);

/// <summary>A marker event: time in microseconds and label.</summary>
public sealed record RecordingMarker(long Time, string Label);
