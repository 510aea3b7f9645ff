using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// Makes a recording's keyframes and window index while it is recorded, from each chunk's text as it is sealed, so its first
/// viewer reads one chunk instead of the whole recording. Nothing is read back from the store.
/// </summary>
/// <remarks>
/// The entries are assembled in a staging folder and published in one rename once the signed manifest names the final chain
/// value, so a viewer sees all of them or none. The work runs on its own task: the sealing task only copies a chunk into a
/// queue of <see cref="QueuedChunks"/> (memory is bounded by that many chunks), and waits for room at worst, which delays
/// uploads but never the relay, which writes to the spool. Anything that goes wrong (disk, a chunk out of order, shutdown)
/// abandons the work and deletes the staging folder: the first view builds the index from the store as before.
/// </remarks>
public sealed class SealedChunkKeyframes : IChunkObserver, IDisposable
{
    /// <summary>Chunks copied and waiting for the screen model at most.</summary>
    public const int QueuedChunks = 4;

    private static readonly TimeSpan RoomWait = TimeSpan.FromSeconds(30);
    private readonly KeyframeCache _cache;
    private readonly RecordingDescriptor _descriptor;
    private readonly Channel<Work> _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueuedChunks)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KeyframeIndexer _indexer = new();
    private string? _staging;
    private string _chain;

    /// <summary>Starts the work task; <paramref name="stopping"/> (shutdown) abandons it.</summary>
    public SealedChunkKeyframes(KeyframeCache cache, RecordingDescriptor descriptor, CancellationToken stopping)
    {
        _cache = cache;
        _descriptor = descriptor;
        _chain = ChunkChain.Hex(ChunkChain.Genesis(descriptor.Kind, descriptor.Id));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _ = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Sees every event of every chunk, in order, on the work task (e.g. to extract the commands in the same pass).</summary>
    public Action<AsciicastEvent>? Events { get; init; }

    /// <summary>More entries to publish with the index (name, content), asked for once every chunk was seen.</summary>
    public Func<IEnumerable<(string Name, byte[] Data)>>? Extras { get; init; }

    /// <summary>True once the entries are published; false when the work was abandoned (see <see cref="Problem"/>). Never faults.</summary>
    public Task<bool> Completion => _done.Task;

    /// <summary>Why the work was abandoned, when it was.</summary>
    public string? Problem { get; private set; }

    public void Sealed(ChunkEntry entry, ReadOnlySpan<byte> text)
    {
        if (_done.Task.IsCompleted || _stop.IsCancellationRequested) return;
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(text.Length, 1));
        text.CopyTo(copy);
        if (!Enqueue(new Work(entry, copy, text.Length, null)))
        {
            ArrayPool<byte>.Shared.Return(copy);
            Abandon("the screen model fell behind the recording");
        }
    }

    public void Completed(RecordingManifest manifest)
    {
        if (!_done.Task.IsCompleted && !Enqueue(new Work(null, null, 0, manifest))) Abandon("stopped before the end of the recording");
    }

    /// <summary>Abandons the work (the node is stopping, or the recording failed).</summary>
    public void Dispose() => Abandon("stopped");

    private bool Enqueue(Work work)
    {
        if (_queue.Writer.TryWrite(work)) return true;
        try
        {
            return _queue.Writer.WaitToWriteAsync(_stop.Token).AsTask().Wait(RoomWait) && _queue.Writer.TryWrite(work);
        }
        catch (Exception ex) when (ex is AggregateException or ObjectDisposedException)
        {
            return false; // stopped while waiting, or the work task already ended
        }
    }

    private void Abandon(string problem)
    {
        if (_done.Task.IsCompleted) return;
        lock (_queue) Problem ??= problem;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The work task ended already.
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    if (work.Manifest is { } manifest)
                    {
                        Publish(manifest);
                        return;
                    }
                    Index(work.Entry!, work.Text!, work.Length);
                }
                finally
                {
                    if (work.Text is not null) ArrayPool<byte>.Shared.Return(work.Text);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Abandon("stopped");
        }
        catch (Exception ex)
        {
            // Derived data: whatever broke, the first viewer builds it from the store instead.
            Abandon(ex.Message);
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
                if (left.Text is not null) ArrayPool<byte>.Shared.Return(left.Text);
            if (!_done.Task.IsCompleted && _staging is not null) DeleteStaging();
            _done.TrySetResult(false);
            _stop.Dispose();
        }
    }

    private void Index(ChunkEntry entry, byte[] text, int length)
    {
        if (entry.Index != _indexer.Chunks) throw new InvalidDataException($"chunk {entry.Index} seen out of order");
        _staging ??= _cache.NewStagingFolder(_descriptor.Id);
        var (columns, rows, redraw) = _indexer.KeyframeBefore(text, length);
        File.WriteAllBytes(Path.Combine(_staging, KeyframeCache.KeyframeName(entry.Index)), KeyframeCache.KeyframeBytes(_chain, columns, rows, redraw));
        _indexer.Add(text, length, Events);
        _chain = entry.Chain;
    }

    private void Publish(RecordingManifest manifest)
    {
        if (_staging is null || manifest.Chunks.Count != _indexer.Chunks || manifest.FinalChain != _chain)
            throw new InvalidDataException("the manifest lists other chunks than were seen");
        var index = _indexer.Finish(manifest.FinalChain);
        File.WriteAllBytes(Path.Combine(_staging, KeyframeCache.IndexFileName), JsonSerializer.SerializeToUtf8Bytes(index));
        foreach (var (name, data) in Extras?.Invoke() ?? [])
            File.WriteAllBytes(Path.Combine(_staging, name), data);
        _cache.Publish(_staging, manifest);
        _done.TrySetResult(true);
    }

    private void DeleteStaging()
    {
        try
        {
            Directory.Delete(_staging!, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for whoever cleans the cache; it is never read.
        }
    }

    private sealed record Work(ChunkEntry? Entry, byte[]? Text, int Length, RecordingManifest? Manifest);
}
