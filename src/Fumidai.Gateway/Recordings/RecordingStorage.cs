using Fumidai.Gateway.Audit;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Recordings;

/// <summary>The node's recording pipeline: object store, local spool, uploader, audit key; audits outages and recoveries.</summary>
/// <remarks>
/// One per <c>serve</c> process. Sessions record into the spool and never wait for the store; in strict mode
/// (<see cref="Strict"/>) a store outage refuses new sessions and closes running ones through <see cref="WhenOutageAsync"/>.
/// </remarks>
public sealed class RecordingStorage : ISessionRecordings, IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly IManifestSigner _signer;
    private readonly IAuditLog _audit;
    private readonly ILogger _logger;
    private readonly ChunkingOptions _chunking;
    private TaskCompletionSource _outage = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordingStorage(IObjectStore store, IManifestSigner signer, string spoolRoot, bool strict, IAuditLog audit, ILogger logger,
        ChunkingOptions? chunking = null, UploaderOptions? uploading = null)
    {
        Store = store;
        _signer = signer;
        SpoolRoot = spoolRoot;
        Strict = strict;
        _audit = audit;
        _logger = logger;
        _chunking = chunking ?? new ChunkingOptions();
        Uploader = new SpoolUploader(store, uploading);
        Uploader.OutageStarted += OnOutageStarted;
        Uploader.OutageEnded += OnOutageEnded;
    }

    public IObjectStore Store { get; }

    public string SpoolRoot { get; }

    public SpoolUploader Uploader { get; }

    /// <summary><c>Recording:Mode = strict</c>: no session runs while its recording cannot be made durable.</summary>
    public bool Strict { get; }

    /// <summary>True while strict mode forbids sessions (the store is failing).</summary>
    public bool RefusesSessions => Strict && Uploader.InOutage;

    /// <summary>Completes when a store outage starts (at once if one is in progress); a new task after each recovery.</summary>
    public Task WhenOutageAsync()
    {
        lock (_lock) return _outage.Task;
    }

    /// <summary>Finishes the spools of a crashed process (signed <c>interrupted</c> manifests) and queues their upload.</summary>
    /// <remarks>Must run before the first new recording: a live writer's spool must not be taken for a dead one.</remarks>
    public IReadOnlyList<RecoveredRecording> Recover()
    {
        var recovered = new RecoveryScanner(SpoolRoot, Uploader, _signer).Recover();
        foreach (var r in recovered)
            _logger.LogWarning("{Kind} {Id} left by a crash: finalised as {EndReason} with {Chunks} chunk(s), uploading to {Store}",
                r.Kind, r.Id, r.EndReason, r.Chunks, Store.Description);
        return recovered;
    }

    /// <summary>Where recorders leave keyframes as they seal chunks (set by <c>serve</c>); null: the first viewer makes them.</summary>
    public KeyframeCache? Keyframes { get; init; }

    /// <summary>A chunked session recorder writing to the spool and shipping to the store.</summary>
    public SessionRecorder NewRecorder(RecordingDescriptor descriptor, AsciicastHeader header) => NewRecorder(descriptor, header, null);

    /// <summary>The same, with <paramref name="observer"/> seeing each chunk as it is sealed.</summary>
    public SessionRecorder NewRecorder(RecordingDescriptor descriptor, AsciicastHeader header, IChunkObserver? observer) =>
        SessionRecorder.CreateChunked(ChunkedRecordingWriter.Create(SpoolRoot, descriptor, Uploader, _signer, _chunking, observer), header);

    /// <summary>Ships the audit event log like recordings: chained JSON-line chunks, a signed manifest per period.</summary>
    public AuditLogShipper CreateAuditShipper(string node) => new(SpoolRoot, Uploader, _signer, node);

    /// <summary>Waits (bounded) for everything spooled to reach the store; false when some is left for the next start.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        try
        {
            await Uploader.WhenIdleAsync().WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} upload(s), {Bytes} bytes, not in {Store} yet: they stay in the spool {Spool} for the next start",
                Uploader.PendingUploads, Uploader.PendingBytes, Store.Description, SpoolRoot);
            return false;
        }
    }

    private void OnOutageStarted(Exception error)
    {
        lock (_lock) _outage.TrySetResult();
        string message = error is ObjectStoreException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        _logger.LogError("recording store {Store} failing: {Error}; chunks wait in the spool{Strict}", Store.Description, message,
            Strict ? " and new sessions are refused (strict mode)" : "");
        Audit(AuditTypes.RecordingFailure, AuditOutcome.Failure, new Dictionary<string, string>
        {
            ["store"] = Store.Description,
            ["error"] = message,
            ["mode"] = Strict ? "strict" : "best-effort",
        });
    }

    private void OnOutageEnded(TimeSpan length)
    {
        lock (_lock)
        {
            if (_outage.Task.IsCompleted) _outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _logger.LogInformation("recording store {Store} reachable again after {Seconds:F0} s; {Pending} upload(s) still queued",
            Store.Description, length.TotalSeconds, Uploader.PendingUploads);
        Audit(AuditTypes.StorageRecovered, AuditOutcome.Success, new Dictionary<string, string>
        {
            ["store"] = Store.Description,
            ["outage_seconds"] = ((long)length.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Audits from the uploader's thread; a failed audit write is logged by <see cref="AuditLog"/> and must not stop uploads.</summary>
    private void Audit(string type, string outcome, Dictionary<string, string> details) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await _audit.RecordAsync(type, outcome, details: details).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug("audit of {Type} not written: {Message}", type, ex.Message);
            }
        });

    public async ValueTask DisposeAsync()
    {
        await Uploader.DisposeAsync().ConfigureAwait(false);
        (Store as IDisposable)?.Dispose();
    }
}
