using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fumidai.Recording.Chunks;

/// <summary>The one thread of a process (per flush interval) that makes every open recording part durable and seals the due ones.</summary>
/// <remarks>
/// Once per interval it visits each writer with an open part: a part due for its age or quiet seal is sealed, one
/// written since the last round is handed to the OS, and then all of those are made durable together with one
/// <c>syncfs</c> per spool root instead of one fsync each. A timer and an fsync per open part (each fsync a flush of the
/// disk's cache) was a quarter of a busy node's CPU with a thousand typing sessions. The promise is unchanged: a crash
/// loses at most about one interval of a session's recording. A writer leaves the round once it has no open part, so
/// an idle node does not wake.
/// </remarks>
internal sealed partial class PartFlusher
{
    private static readonly ConcurrentDictionary<TimeSpan, PartFlusher> ByInterval = new();

    private readonly object _lock = new();
    private readonly HashSet<ChunkedRecordingWriter> _writers = [];
    private readonly TimeSpan _interval;
    private readonly List<ChunkedRecordingWriter> _round = [];
    private readonly List<ChunkedRecordingWriter.PendingSync> _syncs = [];
    private Thread? _thread;

    private PartFlusher(TimeSpan interval) => _interval = interval;

    /// <summary>The flusher of this interval, shared by every writer of the process that uses it.</summary>
    public static PartFlusher For(TimeSpan interval) => ByInterval.GetOrAdd(interval, static i => new PartFlusher(i));

    /// <summary>Joins the round (called by the writer under its own lock when a part opens).</summary>
    public void Add(ChunkedRecordingWriter writer)
    {
        lock (_lock)
        {
            if (!_writers.Add(writer)) return;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "recording flush" };
                _thread.Start();
            }
            else if (_writers.Count == 1)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    /// <summary>Leaves the round (called by the writer under its own lock once it has no open part).</summary>
    public void Remove(ChunkedRecordingWriter writer)
    {
        lock (_lock) _writers.Remove(writer);
    }

    private void Run()
    {
        while (true)
        {
            lock (_lock)
            {
                // Nobody to flush: sleep until a part opens, then give it one interval to be written.
                while (_writers.Count == 0) Monitor.Wait(_lock);
                Monitor.Wait(_lock, _interval);
                _round.AddRange(_writers);
            }
            try
            {
                RunRound();
            }
#pragma warning disable CA1031 // The flusher thread must survive anything one writer throws; writers report their own failures.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            finally
            {
                _round.Clear();
                _syncs.Clear();
            }
        }
    }

    /// <summary>One round: seal or hand to the OS under each writer's lock, then make the written parts durable outside them.</summary>
    private void RunRound()
    {
        foreach (var writer in _round)
        {
            if (writer.Tick() is { } sync) _syncs.Add(sync);
        }
        if (_syncs.Count == 0) return;
        // Parts with the default fsync share one syncfs per spool root; a test's replacement is called per part.
        foreach (var group in _syncs.GroupBy(s => s.SpoolRoot))
        {
            var custom = group.Where(s => !ReferenceEquals(s.FlushToDisk, ChunkingOptions.DefaultFlushToDisk)).ToList();
            foreach (var sync in custom) sync.Writer.Durable(sync, sync.FlushToDisk);
            var defaults = group.Where(s => ReferenceEquals(s.FlushToDisk, ChunkingOptions.DefaultFlushToDisk)).ToList();
            if (defaults.Count == 0) continue;
            if (defaults.Count == 1 || !TrySyncFileSystem(defaults))
            {
                // One part is one fsync either way; a failed syncfs is retried per part so the error reaches its writer.
                foreach (var sync in defaults) sync.Writer.Durable(sync, sync.FlushToDisk);
            }
        }
    }

    /// <summary>Writes back the file system that holds the parts (one cache flush for all of them); false if it could not.</summary>
    private static bool TrySyncFileSystem(List<ChunkedRecordingWriter.PendingSync> syncs)
    {
        foreach (var sync in syncs)
        {
            bool added = false;
            try
            {
                // Any one part's descriptor names the file system; the reference keeps it open if its part is sealed meanwhile.
                sync.Handle.DangerousAddRef(ref added);
                return SyncFs((int)sync.Handle.DangerousGetHandle()) == 0;
            }
            catch (ObjectDisposedException)
            {
                // That part was sealed and closed; its bytes are in the sealed chunk. Try the next one.
            }
            finally
            {
                if (added) sync.Handle.DangerousRelease();
            }
        }
        return true;
    }

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);
}
