namespace Fumidai.Recording.Chunks;

/// <summary>What is stored of a recording or audit period that has no manifest yet: its chunks so far.</summary>
/// <param name="Chunks">Chunk objects found.</param>
/// <param name="Readable">How many chunks from 0 on are present without a gap and decompress; equal to
/// <paramref name="Chunks"/> when nothing is wrong.</param>
/// <param name="Problem">The first gap or unreadable chunk, or null.</param>
/// <remarks>Without the signed manifest the hashes have nothing to be checked against: this says the pieces are there
/// and readable, not that they are authentic. The manifest written at the end signs them.</remarks>
public sealed record UnsealedStream(int Chunks, int Readable, string? Problem);
