namespace Fumidai.Recording.Chunks;

/// <summary>The signed description of one finished recording (or audit period): metadata, chunk list, totals, end reason.</summary>
public sealed record RecordingManifest
{
    /// <summary><c>recording</c> or <c>audit</c>; part of the chain genesis.</summary>
    public required string Kind { get; init; }

    /// <summary>Session id (or audit period id).</summary>
    public required string Id { get; init; }

    /// <summary>The object folder holding the chunks and this manifest (ending in '/').</summary>
    public required string Prefix { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    /// <summary>Why it ended: the bastion's session end reason, or <c>interrupted</c> when finalised after a crash.</summary>
    public required string EndReason { get; init; }

    /// <summary>Who, where and how: user, target, login, kind, command, source, node.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary><c>gzip</c> or <c>br</c>.</summary>
    public required string Compression { get; init; }

    public required IReadOnlyList<ChunkEntry> Chunks { get; init; }

    public long TotalRawBytes { get; init; }

    public long TotalStoredBytes { get; init; }

    /// <summary>The last chain value (the genesis value when there are no chunks).</summary>
    public required string FinalChain { get; init; }

    public const string EndReasonInterrupted = "interrupted";
}
