using Microsoft.Win32.SafeHandles;

namespace Fumidai.Recording.Chunks;

/// <summary>When chunks are sealed and how often the open part is made durable.</summary>
public sealed record ChunkingOptions
{
    /// <summary>
    /// The default chunk size: 4 MiB of terminal text stores as a few hundred KiB; smaller chunks on a fast session made
    /// the spool create and delete thousands of files a second, which cost more CPU than the relay itself.
    /// </summary>
    public const int DefaultMaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>Seal once this many uncompressed bytes are in the open chunk.</summary>
    public int MaxChunkBytes { get; init; } = DefaultMaxChunkBytes;

    /// <summary>
    /// The default maximum age: a busy session's chunks reach the store at least this often (its spool holds the rest,
    /// fsynced every second). Sealing every 5 s cost a node with a thousand typing sessions more CPU than their relay.
    /// </summary>
    public static readonly TimeSpan DefaultMaxChunkAge = TimeSpan.FromSeconds(30);

    /// <summary>Seal a non-empty chunk this long after it was opened, however busy the session: how far the store may lag behind a busy session.</summary>
    /// <remarks>Each part draws its own limit between three quarters of this and this (<see cref="Jittered"/>).</remarks>
    public TimeSpan MaxChunkAge { get; init; } = DefaultMaxChunkAge;

    /// <summary>
    /// A part's own age limit, drawn in [3/4, 1] of <paramref name="maxAge"/>: sessions opened together (a shift starting,
    /// a load test) otherwise seal in the same second every 30 s, a burst of file creation, compression and fsyncs.
    /// Never above the maximum, so the store lags no more than promised.
    /// </summary>
    internal static TimeSpan Jittered(TimeSpan maxAge) => maxAge - maxAge * (Random.Shared.NextDouble() / 4);

    /// <summary>Seal a non-empty chunk once nothing was written to it for this long (capped by <see cref="MaxChunkAge"/>), so a quiet session still ships within seconds.</summary>
    public TimeSpan SealWhenQuietFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often open parts are made durable (by the process's one <see cref="PartFlusher"/>): a crash loses at most this much.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The fsync itself; tests replace it with a slow one to show writers do not wait for it.</summary>
    /// <remarks>With the default, the flusher makes all of a round's parts durable with one syncfs per spool root.</remarks>
    internal Action<SafeFileHandle> FlushToDisk { get; init; } = DefaultFlushToDisk;

    /// <summary>fsync of one part.</summary>
    internal static readonly Action<SafeFileHandle> DefaultFlushToDisk = RandomAccess.FlushToDisk;
}
