using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// One pass over a recording whose manifest has been checked: reads each chunk (checking its hash against the manifest, so
/// the pass verifies the whole recording), stores the screen before it as a keyframe, and cuts its events into windows.
/// </summary>
/// <remarks>The recorder makes the same index as it seals chunks (<see cref="SealedChunkKeyframes"/>); this pass is the fallback for a recording without one.</remarks>
public static class KeyframeBuilder
{
    /// <summary>Bytes of event lines per window: small enough that a viewer's first frame comes quickly, large enough to play a while.</summary>
    public const int WindowBytes = 256 * 1024;

    /// <summary>Builds and caches the index; each chunk's text also goes to <paramref name="verifiedContent"/> once checked, when given.</summary>
    /// <exception cref="RecordingTamperedException">A chunk does not match the manifest; nothing is cached.</exception>
    public static async Task<RecordingIndex> BuildAsync(IObjectStore store, RecordingManifest manifest, KeyframeCache cache, Stream? verifiedContent,
        CancellationToken cancellationToken)
    {
        var indexer = new KeyframeIndexer();
        for (int i = 0; i < manifest.Chunks.Count; i++)
        {
            byte[] text = await ChunkFetcher.ReadAsync(store, manifest, i, cancellationToken).ConfigureAwait(false);
            if (verifiedContent is not null) await verifiedContent.WriteAsync(text, cancellationToken).ConfigureAwait(false);
            var (columns, rows, redraw) = indexer.KeyframeBefore(text, text.Length);
            await cache.WriteKeyframeAsync(manifest, i, columns, rows, redraw, cancellationToken).ConfigureAwait(false);
            indexer.Add(text, text.Length);
        }
        var index = indexer.Finish(manifest.FinalChain);
        await cache.WriteIndexAsync(manifest, index, cancellationToken).ConfigureAwait(false);
        return index;
    }
}
