namespace Fumidai.Recording.Chunks;

/// <summary>Queues one spool's chunks for upload and its manifest only after every chunk is in the store.</summary>
/// <remarks>A manifest in the store therefore always describes chunks that are there, unless someone removed them.</remarks>
internal sealed class RecordingShipper
{
    private readonly ChunkSpool _spool;
    private readonly SpoolUploader _uploader;
    private readonly object _lock = new();
    private readonly TaskCompletionSource _uploaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pendingChunks;
    private bool _manifestReady;
    private bool _manifestQueued;

    public RecordingShipper(ChunkSpool spool, SpoolUploader uploader)
    {
        _spool = spool;
        _uploader = uploader;
    }

    /// <summary>Completes when the manifest is in the store and the spool folder is gone.</summary>
    public Task Uploaded => _uploaded.Task;

    public void Ship(ChunkEntry entry)
    {
        lock (_lock) _pendingChunks++;
        _uploader.Enqueue(new UploadJob(_spool.ChunkPath(entry), _spool.ChunkKey(entry), entry.StoredBytes, ChunkUploaded));
    }

    /// <summary>The manifest is in the spool: ship it as soon as the chunks are up.</summary>
    public void ManifestReady()
    {
        lock (_lock) _manifestReady = true;
        MaybeShipManifest();
    }

    private void ChunkUploaded()
    {
        lock (_lock) _pendingChunks--;
        MaybeShipManifest();
    }

    private void MaybeShipManifest()
    {
        lock (_lock)
        {
            if (!_manifestReady || _pendingChunks > 0 || _manifestQueued) return;
            _manifestQueued = true;
        }
        _uploader.Enqueue(new UploadJob(_spool.ManifestPath, _spool.ManifestKey, new FileInfo(_spool.ManifestPath).Length, ManifestUploaded));
    }

    private void ManifestUploaded()
    {
        try
        {
            _spool.Delete();
        }
        catch (IOException)
        {
            // The recording is safe in the store; a leftover folder is re-uploaded (idempotent) and removed by the next recovery.
        }
        _uploaded.TrySetResult();
    }
}
