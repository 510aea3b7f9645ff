using System.Threading.Channels;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>Ships spooled chunks and manifests to the object store in the background, retrying with backoff; one per process.</summary>
/// <remarks>
/// Sessions never wait for it: a failed put is retried (0.5 s doubling to <see cref="UploaderOptions.MaxBackoff"/>)
/// while the file stays in the spool. The first failure raises <see cref="OutageStarted"/>, the first success
/// after it <see cref="OutageEnded"/>, so the bastion can audit both and, in strict mode, refuse logins meanwhile.
/// </remarks>
public sealed class SpoolUploader : IAsyncDisposable
{
    private readonly Channel<UploadJob> _queue = Channel.CreateUnbounded<UploadJob>();
    private readonly CancellationTokenSource _stop = new();
    private readonly UploaderOptions _options;
    private readonly Task[] _workers;
    private readonly object _lock = new();
    private TaskCompletionSource _idle = CompletedIdle();
    private long _pendingBytes;
    private int _pendingUploads;
    private DateTimeOffset? _outageSince;

    public SpoolUploader(IObjectStore store, UploaderOptions? options = null)
    {
        Store = store;
        _options = options ?? new UploaderOptions();
        _workers = Enumerable.Range(0, Math.Max(1, _options.Concurrency)).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public IObjectStore Store { get; }

    /// <summary>Raised once when puts start failing (with the first error).</summary>
    public event Action<Exception>? OutageStarted;

    /// <summary>Raised once when a put succeeds again (with the outage's length).</summary>
    public event Action<TimeSpan>? OutageEnded;

    /// <summary>True from the first failed put until the next successful one.</summary>
    public bool InOutage
    {
        get
        {
            lock (_lock) return _outageSince is not null;
        }
    }

    /// <summary>Bytes queued or being retried (spooled, not yet in the store).</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    public int PendingUploads => Volatile.Read(ref _pendingUploads);

    /// <summary>Completes when nothing is queued (tests, orderly shutdown).</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return _idle.Task.WaitAsync(cancellationToken);
    }

    internal void Enqueue(UploadJob job)
    {
        lock (_lock)
        {
            if (_pendingUploads++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        Interlocked.Add(ref _pendingBytes, job.Bytes);
        bool queued = _queue.Writer.TryWrite(job);
        ObjectDisposedException.ThrowIf(!queued, this);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                await UploadAsync(job).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: what was not uploaded stays in the spool for the next start's recovery.
        }
    }

    private async Task UploadAsync(UploadJob job)
    {
        var delay = _options.InitialBackoff;
        // Bounded only by shutdown: an outage may last hours and the data must still go up.
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            try
            {
                if (File.Exists(job.LocalPath))
                {
                    byte[] data = await File.ReadAllBytesAsync(job.LocalPath, _stop.Token).ConfigureAwait(false);
                    await Store.PutAsync(job.Key, data, cancellationToken: _stop.Token).ConfigureAwait(false);
                    File.Delete(job.LocalPath);
                }
                EndOutage();
                break;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                StartOutage(ex);
                await Task.Delay(Jitter(delay), _stop.Token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
        Interlocked.Add(ref _pendingBytes, -job.Bytes);
        try
        {
            job.Uploaded();
        }
        finally
        {
            lock (_lock)
            {
                if (--_pendingUploads == 0) _idle.TrySetResult();
            }
        }
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.75 + Random.Shared.NextDouble() * 0.5);

    private void StartOutage(Exception ex)
    {
        lock (_lock)
        {
            if (_outageSince is not null) return;
            _outageSince = DateTimeOffset.UtcNow;
        }
        OutageStarted?.Invoke(ex);
    }

    private void EndOutage()
    {
        TimeSpan length;
        lock (_lock)
        {
            if (_outageSince is not { } since) return;
            _outageSince = null;
            length = DateTimeOffset.UtcNow - since;
        }
        OutageEnded?.Invoke(length);
    }

    private static TaskCompletionSource CompletedIdle()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _stop.Dispose();
    }
}
