namespace Fumidai.Recording.Chunks;

/// <summary>Finishes spools left by a dead process: seals open parts, signs an <c>interrupted</c> manifest, queues every upload.</summary>
/// <remarks>Run at start, before new recordings are created in the same spool root (a live writer's folder must not be touched).</remarks>
public sealed class RecoveryScanner
{
    private readonly string _spoolRoot;
    private readonly SpoolUploader _uploader;
    private readonly IManifestSigner _signer;

    public RecoveryScanner(string spoolRoot, SpoolUploader uploader, IManifestSigner signer)
    {
        _spoolRoot = spoolRoot;
        _uploader = uploader;
        _signer = signer;
    }

    /// <summary>Recovers every spool folder; returns them so the caller can mark the sessions interrupted and audit it.</summary>
    public IReadOnlyList<RecoveredRecording> Recover()
    {
        var recovered = new List<RecoveredRecording>();
        if (!Directory.Exists(_spoolRoot)) return recovered;
        foreach (string directory in Directory.EnumerateDirectories(_spoolRoot).Order(StringComparer.Ordinal))
        {
            if (!ChunkSpool.IsSpool(directory))
            {
                // Crashed before the descriptor was written: nothing was recorded yet.
                Directory.Delete(directory, recursive: true);
                continue;
            }
            recovered.Add(RecoverOne(ChunkSpool.Open(directory)));
        }
        return recovered;
    }

    private RecoveredRecording RecoverOne(ChunkSpool spool)
    {
        var shipper = new RecordingShipper(spool, _uploader);
        string endReason;
        if (spool.HasManifest)
        {
            endReason = ManifestCodec.Read(File.ReadAllBytes(spool.ManifestPath)).Manifest.EndReason;
        }
        else
        {
            var end = LastWrite(spool.Directory);
            foreach (int part in spool.PendingParts()) spool.Seal(part);
            endReason = RecordingManifest.EndReasonInterrupted;
            spool.WriteManifest(endReason, end, _signer);
        }
        foreach (var entry in spool.UnuploadedChunks()) shipper.Ship(entry);
        shipper.ManifestReady();
        var d = spool.Descriptor;
        return new RecoveredRecording(d.Kind, d.Id, d.Prefix, endReason, spool.Entries.Count, shipper.Uploaded);
    }

    /// <summary>The end of an interrupted recording: when its spool was last written (the last flushed second).</summary>
    private static DateTimeOffset LastWrite(string directory) =>
        Directory.EnumerateFiles(directory).Select(f => new DateTimeOffset(File.GetLastWriteTimeUtc(f))).DefaultIfEmpty(DateTimeOffset.UtcNow).Max();
}
