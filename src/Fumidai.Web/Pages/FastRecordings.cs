using System.Collections.Concurrent;
using System.IO.Pipelines;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Storage;
using Fumidai.Web.Hosting;

namespace Fumidai.Web.Pages;

/// <summary>
/// Opens a finished, signed recording for the player without reading it whole: the manifest is checked (signature, chain over the
/// listed hashes, one listing of the folder), then the cached keyframe index is used; each chunk is hashed again as it is served.
/// </summary>
/// <remarks>
/// The node that recorded a session leaves the index as it seals the chunks (<see cref="SealedChunkKeyframes"/>), made from its
/// spool; the first view then checks the stored chunks' hashes once (no decompression, no screen model). When the index is
/// missing (an older node, a crash before the end, a console on another host), the first view reads every chunk once, checking
/// each against the manifest as the full verifier does, to build the keyframes, the windows and the command list; a recording
/// that fails that pass is not opened here, and the page falls back to the full read, which names the bad piece in the banner.
/// </remarks>
public static class FastRecordings
{
    /// <summary>Present once the stored chunks were checked whole against the manifest (by the first-view pass, or by hash alone).</summary>
    private const string StoreVerifiedName = "store-verified";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Builds = new(StringComparer.Ordinal);

    /// <summary>A recording ready to be served in windows, with its command list.</summary>
    public sealed record Opened(RecordingWindows Windows, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> Commands);

    public static KeyframeCache Cache(ConsoleServices console) => new(console.Data.KeyframeCachePath);

    /// <summary>The recording ready to play in windows; null when it is not a finished chunked recording whose manifest checks, or its chunks do not verify.</summary>
    public static async Task<Opened?> OpenAsync(SessionRecord session, ConsoleServices console, CancellationToken cancellationToken)
    {
        if (session.Status == SessionStatus.Running || session.Recording is not { } prefix || SessionRecordings.IsLegacy(session)
            || !prefix.StartsWith(ObjectLayout.RecordingsRoot, StringComparison.Ordinal) || !prefix.EndsWith('/')) return null;
        RecordingManifest? manifest;
        try
        {
            ObjectLayout.ValidateKey(ObjectLayout.ManifestKey(prefix));
            (manifest, _) = await ManifestCheck.CheckAsync(console.Recordings, console.AuditKey, prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or ObjectStoreException or FormatException)
        {
            return null;
        }
        if (manifest is null) return null;
        var cache = Cache(console);
        var (index, commands) = await ReadCachedAsync(cache, manifest, cancellationToken).ConfigureAwait(false);
        if (index is null || commands is null || await cache.ReadAsync(manifest, StoreVerifiedName, cancellationToken).ConfigureAwait(false) is null)
        {
            var gate = Builds.GetOrAdd(manifest.FinalChain, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                (index, commands) = await ReadCachedAsync(cache, manifest, cancellationToken).ConfigureAwait(false);
                if (index is null || commands is null)
                {
                    (index, commands) = await BuildAsync(session, console.Recordings, manifest, cache, cancellationToken).ConfigureAwait(false);
                }
                else if (await cache.ReadAsync(manifest, StoreVerifiedName, cancellationToken).ConfigureAwait(false) is null)
                {
                    // Made by the recording node from its spool: the copy in the store is checked whole once, by hash only.
                    await ChunkFetcher.CheckAllAsync(console.Recordings, manifest, cancellationToken).ConfigureAwait(false);
                }
                await cache.WriteAsync(manifest, StoreVerifiedName, [], cancellationToken).ConfigureAwait(false);
            }
            catch (RecordingTamperedException)
            {
                cache.Forget(manifest);
                return null;
            }
            catch (Exception ex) when (ex is ObjectStoreException or InvalidDataException)
            {
                return null;
            }
            finally
            {
                gate.Release();
                Builds.TryRemove(KeyValuePair.Create(manifest.FinalChain, gate));
            }
        }
        return new Opened(new RecordingWindows(console.Recordings, manifest, index, cache), commands);
    }

    /// <summary>The index and the command list in one pass: the verified text feeds the command extractor through a pipe as it is read.</summary>
    private static async Task<(RecordingIndex, IReadOnlyList<(TimeSpan, string, string?)>)> BuildAsync(SessionRecord session, IObjectStore store,
        RecordingManifest manifest, KeyframeCache cache, CancellationToken cancellationToken)
    {
        RecordingIndex index;
        IReadOnlyList<(TimeSpan, string, string?)> commands;
        if (!SessionIndexer.NeedsRecording(session))
        {
            index = await KeyframeBuilder.BuildAsync(store, manifest, cache, null, cancellationToken).ConfigureAwait(false);
            commands = SessionIndexer.Commands(session, (Stream?)null);
        }
        else
        {
            var pipe = new Pipe();
            var extract = Task.Run(() =>
            {
                using var reader = pipe.Reader.AsStream();
                var found = SessionIndexer.Commands(session, reader);
                reader.CopyTo(Stream.Null); // whatever the extractor left, so the builder never waits on a full pipe
                return found;
            }, CancellationToken.None);
            var writer = pipe.Writer.AsStream();
            try
            {
                index = await KeyframeBuilder.BuildAsync(store, manifest, cache, writer, cancellationToken).ConfigureAwait(false);
                await writer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                try
                {
                    await extract.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The builder's failure is the one to report.
                }
                throw;
            }
            commands = await extract.ConfigureAwait(false);
        }
        await cache.WriteAsync(manifest, CachedCommands.Name, CachedCommands.Write(commands), cancellationToken).ConfigureAwait(false);
        return (index, commands);
    }

    private static async Task<(RecordingIndex?, IReadOnlyList<(TimeSpan, string, string?)>?)> ReadCachedAsync(KeyframeCache cache, RecordingManifest manifest,
        CancellationToken cancellationToken)
    {
        var index = await cache.ReadIndexAsync(manifest, cancellationToken).ConfigureAwait(false);
        byte[]? bytes = await cache.ReadAsync(manifest, CachedCommands.Name, cancellationToken).ConfigureAwait(false);
        return (index, bytes is null ? null : CachedCommands.Read(bytes));
    }
}
