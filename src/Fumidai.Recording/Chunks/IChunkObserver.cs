namespace Fumidai.Recording.Chunks;

/// <summary>Sees each chunk of a recording as it is sealed and the manifest once it is signed, on the writer's sealing task.</summary>
/// <remarks>
/// Called in chunk order, never on the caller's write path. An observer must return quickly (hand work to its own task) and
/// must not throw: what it derives is never worth a chunk of the recording.
/// </remarks>
public interface IChunkObserver
{
    /// <summary>Chunk <paramref name="entry"/> is sealed and journalled; <paramref name="text"/> is its raw lines, valid only during the call.</summary>
    void Sealed(ChunkEntry entry, ReadOnlySpan<byte> text);

    /// <summary>The recording is complete: its signed manifest lists every chunk seen.</summary>
    void Completed(RecordingManifest manifest);
}
