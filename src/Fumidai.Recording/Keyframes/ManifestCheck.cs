using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// The part of verification that needs no chunk content: the manifest's signature, the chain over the chunk hashes it lists,
/// and one listing of the folder (every listed chunk present at its signed size, nothing unlisted beside them).
/// </summary>
/// <remarks>
/// What it cannot see, a chunk rewritten at the same size, is caught by hashing each chunk as it is read (see
/// <see cref="ChunkFetcher"/>) and by the full pass that builds a recording's keyframes.
/// </remarks>
public static class ManifestCheck
{
    /// <summary>The verified manifest, or null and the problem named as <see cref="RecordingVerifier"/> names it.</summary>
    public static async Task<(RecordingManifest? Manifest, string? Problem)> CheckAsync(IObjectStore store, IManifestVerifier key, string prefix,
        CancellationToken cancellationToken)
    {
        byte[]? stored = await store.GetAsync(ObjectLayout.ManifestKey(prefix), cancellationToken).ConfigureAwait(false);
        if (stored is null) return (null, RecordingVerifier.ManifestMissing);
        SignedManifest signed;
        try
        {
            signed = ManifestCodec.Read(stored);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex.Message);
        }
        var manifest = signed.Manifest;
        if (!signed.IsValid(key)) return (null, "manifest signature invalid");
        if (manifest.Prefix != prefix) return (null, $"manifest belongs to {manifest.Prefix}, not to this folder");
        var compression = ChunkCodec.Parse(manifest.Compression);
        byte[] chain = ChunkChain.Genesis(manifest.Kind, manifest.Id);
        var sizes = new Dictionary<string, (int Index, long Size)>(StringComparer.Ordinal);
        for (int i = 0; i < manifest.Chunks.Count; i++)
        {
            var entry = manifest.Chunks[i];
            if (entry.Index != i || entry.Name != ObjectLayout.ChunkKey("", i, ChunkCodec.Extension(compression, manifest.Kind)))
                return (null, $"manifest: chunk {i} listed out of order");
            if (entry.Sha256.Length != 64) return (null, $"manifest: chunk {i} has no SHA-256");
            chain = ChunkChain.Next(chain, Convert.FromHexString(entry.Sha256));
            if (ChunkChain.Hex(chain) != entry.Chain) return (null, $"chunk {i}: chain mismatch");
            sizes[entry.Name] = (i, entry.StoredBytes);
        }
        if (ChunkChain.Hex(chain) != manifest.FinalChain) return (null, "manifest: final chain value mismatch");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string name = o.Key[prefix.Length..];
            if (name == ObjectLayout.ManifestName) continue;
            if (!sizes.TryGetValue(name, out var signedSize)) return (null, $"object {name} is not listed in the manifest");
            if (o.Size != signedSize.Size)
                return (null, $"chunk {signedSize.Index}: size mismatch ({o.Size} bytes stored, {signedSize.Size} signed)");
            seen.Add(name);
        }
        foreach (var entry in manifest.Chunks)
            if (!seen.Contains(entry.Name)) return (null, $"chunk {entry.Index} missing");
        return (manifest, null);
    }
}
