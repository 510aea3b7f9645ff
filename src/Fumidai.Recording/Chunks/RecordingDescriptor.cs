namespace Fumidai.Recording.Chunks;

/// <summary>What is known when a recording starts: identity, object folder, start time and metadata (kept in the spool for recovery).</summary>
public sealed record RecordingDescriptor
{
    /// <summary><c>recording</c> or <c>audit</c>.</summary>
    public string Kind { get; init; } = RecordingKinds.Recording;

    public required string Id { get; init; }

    /// <summary>Object folder for chunks and manifest, e.g. from <see cref="Storage.ObjectLayout.RecordingPrefix"/>.</summary>
    public required string Prefix { get; init; }

    public required DateTimeOffset Start { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public ChunkCompression Compression { get; init; } = ChunkCompression.Brotli;
}
