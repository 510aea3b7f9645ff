using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>Reassembles a chunked recording from a store into one asciicast v2 stream (what <c>asciinema play</c> reads).</summary>
/// <remarks>
/// Uses the manifest's chunk list when there is one; a recording still running (no manifest yet) is read from the
/// chunks present, in key order. Reading does not verify: run <see cref="RecordingVerifier"/> for that.
/// </remarks>
public static class RecordingReader
{
    /// <summary>Writes the decompressed chunks of the recording in <paramref name="prefix"/> to <paramref name="destination"/>; returns bytes written.</summary>
    public static async Task<long> CopyToAsync(IObjectStore store, string prefix, Stream destination, CancellationToken cancellationToken = default)
    {
        var (names, compression) = await ChunkNamesAsync(store, prefix, cancellationToken).ConfigureAwait(false);
        long total = 0;
        foreach (string name in names)
        {
            byte[] stored = await store.GetAsync(prefix + name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"chunk {name} missing in {prefix}");
            byte[] raw = ChunkCodec.Decompress(stored, compression);
            await destination.WriteAsync(raw, cancellationToken).ConfigureAwait(false);
            total += raw.Length;
        }
        return total;
    }

    /// <summary>The whole recording as bytes (tests, small recordings).</summary>
    public static async Task<byte[]> ReadAllAsync(IObjectStore store, string prefix, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await CopyToAsync(store, prefix, buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task<(IReadOnlyList<string> Names, ChunkCompression Compression)> ChunkNamesAsync(IObjectStore store, string prefix,
        CancellationToken cancellationToken)
    {
        byte[]? manifest = await store.GetAsync(ObjectLayout.ManifestKey(prefix), cancellationToken).ConfigureAwait(false);
        if (manifest is not null)
        {
            var m = ManifestCodec.Read(manifest).Manifest;
            return (m.Chunks.Select(c => c.Name).ToList(), ChunkCodec.Parse(m.Compression));
        }
        var names = new List<string>();
        ChunkCompression? found = null;
        await foreach (var o in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string name = o.Key[prefix.Length..];
            foreach (var c in Enum.GetValues<ChunkCompression>())
            {
                if (!name.EndsWith(ChunkCodec.Extension(c, RecordingKinds.Recording), StringComparison.Ordinal)
                    && !name.EndsWith(ChunkCodec.Extension(c, RecordingKinds.Audit), StringComparison.Ordinal)) continue;
                names.Add(name);
                found = c;
            }
        }
        if (found is null) throw new InvalidDataException($"no recording in {prefix}");
        return (names, found.Value);
    }
}
