using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// One pass over a recording whose manifest has been checked: reads each chunk (checking its hash against the manifest, so
/// the pass verifies the whole recording), stores the screen before it as a keyframe, and cuts its events into windows.
/// </summary>
public static class KeyframeBuilder
{
    /// <summary>Bytes of event lines per window: small enough that a viewer's first frame comes quickly, large enough to play a while.</summary>
    public const int WindowBytes = 256 * 1024;

    /// <summary>Builds and caches the index; each chunk's text also goes to <paramref name="verifiedContent"/> once checked, when given.</summary>
    /// <exception cref="RecordingTamperedException">A chunk does not match the manifest; nothing is cached.</exception>
    public static async Task<RecordingIndex> BuildAsync(IObjectStore store, RecordingManifest manifest, KeyframeCache cache, Stream? verifiedContent,
        CancellationToken cancellationToken)
    {
        TerminalScreen? screen = null;
        int columns = 80, rows = 24;
        var windows = new List<RecordingWindowMark>();
        var markers = new List<RecordingMarker>();
        long lastStart = -1, lastTime = 0;
        for (int i = 0; i < manifest.Chunks.Count; i++)
        {
            byte[] text = await ChunkFetcher.ReadAsync(store, manifest, i, cancellationToken).ConfigureAwait(false);
            if (verifiedContent is not null) await verifiedContent.WriteAsync(text, cancellationToken).ConfigureAwait(false);
            if (screen is null)
            {
                var header = ChunkEvents.Header(text);
                (columns, rows) = (header.Width, header.Height);
                screen = new TerminalScreen(columns, rows);
            }
            await cache.WriteKeyframeAsync(manifest, i, screen.Columns, screen.Rows, screen.Redraw(), cancellationToken).ConfigureAwait(false);
            long windowBytes = 0;
            bool chunkStarted = false;
            foreach (var (offset, length, e) in ChunkEvents.Read(text, 0, text.Length))
            {
                ChunkEvents.Apply(screen, e);
                if (!ChunkEvents.Shown(e)) continue;
                long time = ChunkEvents.Micros(e);
                // A window never spans two chunks, so serving one reads one chunk.
                if (!chunkStarted || (windowBytes >= WindowBytes && time > lastStart))
                {
                    lastStart = windows.Count == 0 ? 0 : Math.Max(time, lastStart + 1);
                    windows.Add(new RecordingWindowMark(lastStart, i, offset));
                    windowBytes = 0;
                    chunkStarted = true;
                }
                windowBytes += length;
                lastTime = Math.Max(lastTime, time);
                if (e.Type == Asciicast.AsciicastEventType.Marker) markers.Add(new RecordingMarker(time, e.Data));
            }
        }
        if (windows.Count == 0) throw new RecordingTamperedException("recording holds no events");
        var index = new RecordingIndex(manifest.FinalChain, columns, rows, Math.Max(lastTime, lastStart), windows, markers);
        await cache.WriteIndexAsync(manifest, index, cancellationToken).ConfigureAwait(false);
        return index;
    }
}
