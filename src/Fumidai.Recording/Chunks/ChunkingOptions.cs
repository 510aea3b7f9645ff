namespace Fumidai.Recording.Chunks;

/// <summary>When chunks are sealed and how often the open part is made durable.</summary>
public sealed record ChunkingOptions
{
    /// <summary>Seal once this many uncompressed bytes are in the open chunk.</summary>
    public int MaxChunkBytes { get; init; } = 512 * 1024;

    /// <summary>Seal a non-empty chunk this long after it was opened, so a quiet session still ships within seconds.</summary>
    public TimeSpan MaxChunkAge { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>fsync of the open part: a crash loses at most this much.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
}
