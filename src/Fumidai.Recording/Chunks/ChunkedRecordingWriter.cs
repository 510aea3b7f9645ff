using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Fumidai.Recording.Chunks;

/// <summary>Appends a line-oriented stream (asciicast, JSON lines) to a spool, seals it into chained chunks and ships them.</summary>
/// <remarks>
/// Writes go to an open part file, made durable every <see cref="ChunkingOptions.FlushInterval"/> while it is open by the
/// process's <see cref="PartFlusher"/> (one thread and one syncfs a round for all writers). At a line end, once the
/// part holds <see cref="ChunkingOptions.MaxChunkBytes"/>, was quiet for <see cref="ChunkingOptions.SealWhenQuietFor"/> or is
/// <see cref="ChunkingOptions.MaxChunkAge"/> old, it is
/// handed to a sealing task (compress, hash, chain, journal) that runs in order off the caller's path; sealed chunks go
/// to the <see cref="SpoolUploader"/>. The caller never waits for the store. A local write failure (disk full) is
/// reported once through <see cref="Failed"/>.
/// </remarks>
public sealed class ChunkedRecordingWriter : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly ChunkSpool _spool;
    private readonly RecordingShipper _shipper;
    private readonly IManifestSigner _signer;
    private readonly ChunkingOptions _options;
    private readonly IChunkObserver? _observer;
    private readonly PartFlusher _flusher;
    private readonly string _spoolRoot;
    private Task _sealTail = Task.CompletedTask;
    private FileStream? _part;
    private int _partIndex;
    private long _partBytes;
    private long _partOpened;
    private TimeSpan _partMaxAge;
    private long _lastWrite;
    private bool _atLineEnd = true;
    private bool _dirty;
    private bool _closed;
    private RecordingManifest? _manifest;
    private bool _inFlushRound;
    private long _flushTicks;

    private ChunkedRecordingWriter(ChunkSpool spool, SpoolUploader uploader, IManifestSigner signer, ChunkingOptions options, IChunkObserver? observer)
    {
        _spool = spool;
        _observer = observer;
        _shipper = new RecordingShipper(spool, uploader);
        _signer = signer;
        _options = options;
        _flusher = PartFlusher.For(options.FlushInterval);
        _spoolRoot = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(spool.Directory)) ?? spool.Directory;
    }

    /// <summary>Creates the spool folder <c>spoolRoot/ID/</c> and starts writing; <paramref name="observer"/> sees each chunk as it is sealed.</summary>
    public static ChunkedRecordingWriter Create(string spoolRoot, RecordingDescriptor descriptor, SpoolUploader uploader,
        IManifestSigner signer, ChunkingOptions? options = null, IChunkObserver? observer = null) =>
        new(ChunkSpool.Create(spoolRoot, descriptor), uploader, signer, options ?? new ChunkingOptions(), observer);

    public RecordingDescriptor Descriptor => _spool.Descriptor;

    public string SpoolDirectory => _spool.Directory;

    /// <summary>Raised once when the local spool can no longer be written.</summary>
    public event Action<Exception>? Failed;

    public Exception? Failure { get; private set; }

    /// <summary>Completes when the manifest (and so every chunk) is in the store; never faults.</summary>
    public Task Uploaded => _shipper.Uploaded;

    /// <summary>How many flush rounds visited this writer: an idle recording must not stay in them.</summary>
    internal long FlushTicks => Interlocked.Read(ref _flushTicks);

    /// <summary>Chunks sealed so far.</summary>
    public int SealedChunks
    {
        get
        {
            lock (_lock) return _spool.Entries.Count;
        }
    }

    /// <summary>Appends bytes; a chunk boundary is only ever placed after a '\n'.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        lock (_lock)
        {
            if (_closed || Failure is not null) return;
            try
            {
                _part ??= OpenPart();
                _part.Write(data);
                _lastWrite = Stopwatch.GetTimestamp();
                _partBytes += data.Length;
                _dirty = true;
                _atLineEnd = data[^1] == (byte)'\n';
                if (_atLineEnd && _partBytes >= _options.MaxChunkBytes) SealPart();
                else JoinFlushRound();
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    /// <summary>Makes written bytes durable (fsync) and seals an old enough chunk; the flusher does this every flush interval while a part is open.</summary>
    public void Flush()
    {
        if (TakeDirty() is { } sync) Durable(sync, _options.FlushToDisk);
    }

    /// <summary>A part handed to the OS that still has to reach the disk, and how.</summary>
    internal readonly record struct PendingSync(ChunkedRecordingWriter Writer, SafeFileHandle Handle, string SpoolRoot, Action<SafeFileHandle> FlushToDisk);

    /// <summary>One flush round for this writer: seals a due part, or hands a written one to the OS and returns it for syncing.</summary>
    /// <remarks>Leaves the round once no part is open; the next write joins it again.</remarks>
    internal PendingSync? Tick()
    {
        Interlocked.Increment(ref _flushTicks);
        var sync = TakeDirty();
        lock (_lock)
        {
            if (_part is null || _closed || Failure is not null)
            {
                _inFlushRound = false;
                _flusher.Remove(this);
            }
        }
        return sync;
    }

    /// <summary>
    /// Under the lock the buffered bytes only go to the OS; the fsync runs outside it: it can take tens of milliseconds
    /// on a busy disk, and under the lock every write of both directions of the session would wait for it.
    /// </summary>
    private PendingSync? TakeDirty()
    {
        lock (_lock)
        {
            if (_closed || Failure is not null || _part is null) return null;
            try
            {
                if (_atLineEnd && DueForAgeSeal())
                {
                    SealPart();
                    return null;
                }
                if (!_dirty) return null;
                _part.Flush();
                // Bytes written from here on make the part dirty again and are synced on the next round.
                _dirty = false;
                return new PendingSync(this, _part.SafeFileHandle, _spoolRoot, _options.FlushToDisk);
            }
            catch (IOException ex)
            {
                Fail(ex);
                return null;
            }
        }
    }

    /// <summary>Makes one handed-over part durable; a failure is this writer's.</summary>
    internal void Durable(PendingSync sync, Action<SafeFileHandle> flushToDisk)
    {
        try
        {
            flushToDisk(sync.Handle);
        }
        catch (ObjectDisposedException)
        {
            // The part was sealed meanwhile: its bytes are in the sealed chunk, which is fsynced when written.
        }
        catch (IOException ex)
        {
            lock (_lock) Fail(ex);
        }
    }

    /// <summary>
    /// Quiet for <see cref="ChunkingOptions.SealWhenQuietFor"/>, or open for <see cref="ChunkingOptions.MaxChunkAge"/>. Sealing a
    /// busy session's part every few seconds (files created, fsynced and deleted each time) cost a node with a thousand
    /// typing sessions more CPU than relaying their keystrokes; a session that stops still ships within seconds.
    /// </summary>
    private bool DueForAgeSeal()
    {
        var quiet = _options.SealWhenQuietFor < _options.MaxChunkAge ? _options.SealWhenQuietFor : _options.MaxChunkAge;
        return Stopwatch.GetElapsedTime(_lastWrite) >= quiet || Stopwatch.GetElapsedTime(_partOpened) >= _partMaxAge;
    }

    private FileStream OpenPart()
    {
        _partOpened = Stopwatch.GetTimestamp();
        _partMaxAge = ChunkingOptions.Jittered(_options.MaxChunkAge);
        _partBytes = 0;
        return new FileStream(_spool.PartPath(_partIndex), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 64 * 1024,
            UnixCreateMode = DurableFile.Mode,
        });
    }

    /// <summary>Closes the open part and queues it for sealing (called under the lock, at a line end).</summary>
    private void SealPart()
    {
        var part = _part!;
        _part = null;
        int index = _partIndex++;
        // The part is fsynced by the sealed chunk's own fsync; closing flushes it to the OS, which survives a process crash.
        part.Dispose();
        _dirty = false;
        _sealTail = _sealTail.ContinueWith(_ => SealAndShip(index), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void SealAndShip(int index)
    {
        if (Failure is not null) return;
        try
        {
            bool shipped = false;
            ChunkEntry? entry;
            lock (_spool)
            {
                entry = _spool.Seal(index, _observer is null ? null : (sealedEntry, text) =>
                {
                    // Shipped first: the upload never waits for what the observer derives.
                    _shipper.Ship(sealedEntry);
                    shipped = true;
                    _observer.Sealed(sealedEntry, text);
                });
            }
            if (entry is not null && !shipped) _shipper.Ship(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            lock (_lock) Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        if (Failure is not null) return;
        Failure = ex;
        ThreadPool.QueueUserWorkItem(_ => Failed?.Invoke(ex));
    }

    /// <summary>Joins the flusher's round unless already in it (called under the lock while a part is open).</summary>
    private void JoinFlushRound()
    {
        if (_inFlushRound || _closed) return;
        _inFlushRound = true;
        _flusher.Add(this);
    }

    /// <summary>Seals the last chunk, writes the signed manifest to the spool and queues it after the chunks.</summary>
    /// <remarks>Returns once the recording is complete locally; <see cref="Uploaded"/> tells when it is in the store.</remarks>
    public async Task<RecordingManifest> CompleteAsync(string endReason)
    {
        Task tail;
        lock (_lock)
        {
            // A round's seal runs under this lock, so one in progress is queued before the last one.
            if (_manifest is not null) return _manifest;
            if (!_closed && _part is not null)
            {
                try
                {
                    SealPart();
                }
                catch (IOException ex)
                {
                    Fail(ex);
                }
            }
            _closed = true;
            _inFlushRound = false;
            _flusher.Remove(this);
            tail = _sealTail;
        }
        await tail.ConfigureAwait(false);
        RecordingManifest manifest;
        lock (_spool) manifest = _spool.WriteManifest(endReason, DateTimeOffset.UtcNow, _signer);
        lock (_lock) _manifest = manifest;
        _shipper.ManifestReady();
        _observer?.Completed(manifest);
        return manifest;
    }

    public async ValueTask DisposeAsync()
    {
        if (_manifest is null) await CompleteAsync("closed").ConfigureAwait(false);
    }
}
