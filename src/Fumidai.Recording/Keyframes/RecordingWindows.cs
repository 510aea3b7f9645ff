using System.Text.Json;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// Serves a window of a verified recording from one chunk: the screen at the window's start (the chunk's keyframe plus a
/// replay of the chunk up to there), then the window's events.
/// </summary>
public sealed class RecordingWindows(IObjectStore store, RecordingManifest manifest, RecordingIndex index, KeyframeCache cache)
{
    public RecordingIndex Index { get; } = index;

    public RecordingManifest Manifest { get; } = manifest;

    /// <summary>
    /// Window <paramref name="window"/> as an asciinema-player segment: <c>{"snapshot":{cols,rows,init},"events":[[seconds,code,data],…]}</c>,
    /// times absolute, the first event at the window's start and every event before the next window's.
    /// </summary>
    /// <exception cref="RecordingTamperedException">The chunk no longer matches the manifest.</exception>
    /// <exception cref="KeyframeMissingException">The cache lost the chunk's keyframe; rebuild the index.</exception>
    public async Task WriteSegmentAsync(Stream output, int window, CancellationToken cancellationToken)
    {
        var mark = Index.Windows[window];
        var (screen, text) = await ScreenAtAsync(mark.Chunk, mark.Offset, long.MaxValue, cancellationToken).ConfigureAwait(false);
        long end = Index.EndOf(window);
        bool last = window == Index.Windows.Count - 1;
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartObject("snapshot");
        json.WriteNumber("cols", screen.Columns);
        json.WriteNumber("rows", screen.Rows);
        json.WriteString("init", screen.Redraw());
        json.WriteEndObject();
        json.WriteStartArray("events");
        foreach (var (_, _, e) in ChunkEvents.Read(text, mark.Offset, EndOffset(window, text)))
        {
            if (!ChunkEvents.Shown(e)) continue;
            // The player wants each event inside its window: times the cut or the nudge left outside are pulled in by a microsecond at most.
            long time = Math.Max(ChunkEvents.Micros(e), mark.Start);
            time = last ? Math.Min(time, end) : Math.Min(time, end - 1);
            WriteEvent(json, time, e);
            if (json.BytesPending > 64 * 1024) await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        if (last && Index.Duration > 0)
            WriteEvent(json, end, AsciicastEvent.Output(TimeSpan.Zero, "")); // ends exactly at the duration, as the player requires
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The window holding time <paramref name="from"/> (microseconds) as asciicast from that time on: a header of the screen's size
    /// then, then one output event at 0 that redraws the screen, then the rest of the window's events, times counted from <paramref name="from"/>.
    /// </summary>
    /// <returns>Where the next window starts (microseconds), or null at the end of the recording.</returns>
    public async Task<long?> WriteCastAsync(Stream output, long from, CancellationToken cancellationToken)
    {
        int window = Index.WindowAt(from);
        var mark = Index.Windows[window];
        var (screen, text) = await ScreenAtAsync(mark.Chunk, 0, from, cancellationToken).ConfigureAwait(false);
        using var writer = new AsciicastWriter(output, leaveOpen: true);
        writer.WriteHeader(new AsciicastHeader(screen.Columns, screen.Rows));
        writer.WriteEvent(AsciicastEvent.Output(TimeSpan.Zero, screen.Redraw()));
        foreach (var (_, _, e) in ChunkEvents.Read(text, mark.Offset, EndOffset(window, text)))
        {
            long time = ChunkEvents.Micros(e);
            if (!ChunkEvents.Shown(e) || time < from) continue;
            writer.WriteEvent(e with { Time = TimeSpan.FromTicks((time - from) * 10) });
        }
        writer.Dispose();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return window + 1 < Index.Windows.Count ? Index.Windows[window + 1].Start : null;
    }

    /// <summary>The screen as a player shows it at <paramref name="at"/> (microseconds): every shown event at or before that time applied, from one chunk.</summary>
    /// <exception cref="RecordingTamperedException">The chunk no longer matches the manifest.</exception>
    /// <exception cref="KeyframeMissingException">The cache lost the chunk's keyframe; rebuild the index.</exception>
    public async Task<TerminalScreen> ScreenAtAsync(long at, CancellationToken cancellationToken)
    {
        var mark = Index.Windows[Index.WindowAt(at)];
        var (screen, _) = await ScreenAtAsync(mark.Chunk, 0, at + 1, cancellationToken).ConfigureAwait(false);
        return screen;
    }

    /// <summary>The chunk's keyframe with the chunk's events replayed up to byte <paramref name="offset"/> or time <paramref name="before"/>, whichever comes first.</summary>
    private async Task<(TerminalScreen Screen, byte[] Text)> ScreenAtAsync(int chunk, int offset, long before, CancellationToken cancellationToken)
    {
        var keyframe = await cache.ReadKeyframeAsync(Manifest, chunk, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyframeMissingException();
        byte[] text = await ChunkFetcher.ReadAsync(store, Manifest, chunk, cancellationToken).ConfigureAwait(false);
        var screen = new TerminalScreen(keyframe.Columns, keyframe.Rows);
        screen.Feed(keyframe.Redraw);
        int limit = before == long.MaxValue ? offset : text.Length;
        foreach (var (_, _, e) in ChunkEvents.Read(text, 0, limit))
        {
            if (ChunkEvents.Micros(e) >= before) break;
            ChunkEvents.Apply(screen, e);
        }
        return (screen, text);
    }

    private int EndOffset(int window, byte[] text) =>
        window + 1 < Index.Windows.Count && Index.Windows[window + 1].Chunk == Index.Windows[window].Chunk ? Index.Windows[window + 1].Offset : text.Length;

    private static void WriteEvent(Utf8JsonWriter json, long micros, AsciicastEvent e)
    {
        json.WriteStartArray();
        json.WriteNumberValue(micros / 1_000_000.0);
        json.WriteStringValue(AsciicastEvent.Code(e.Type));
        json.WriteStringValue(e.Data);
        json.WriteEndArray();
    }
}

/// <summary>The keyframe cache lost an entry the index names; the index must be rebuilt.</summary>
public sealed class KeyframeMissingException() : Exception("a keyframe of this recording is missing from the cache");
