using System.Security.Cryptography;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>Checks recordings in a store: manifest signature, every chunk's size and SHA-256, the chain, and stray objects.</summary>
/// <remarks>Stops at the first problem of a recording and names it, so an auditor knows exactly which piece to look at.</remarks>
public sealed class RecordingVerifier
{
    private readonly IObjectStore _store;
    private readonly IManifestVerifier _key;

    public RecordingVerifier(IObjectStore store, IManifestVerifier key)
    {
        _store = store;
        _key = key;
    }

    /// <summary>The problem reported when a folder has no manifest: a recording still being written, or one whose manifest was lost.</summary>
    public const string ManifestMissing = "manifest missing (recording still running, or lost)";

    /// <summary>Verifies the recording in folder <paramref name="prefix"/> (ending in '/').</summary>
    public Task<VerificationResult> VerifyAsync(string prefix, CancellationToken cancellationToken = default) =>
        VerifyAsync(prefix, null, cancellationToken);

    /// <summary>
    /// Verifies the recording in <paramref name="prefix"/> and writes the asciicast text of each chunk, once it has passed its
    /// checks, to <paramref name="verifiedContent"/>: a reader gets exactly the bytes that were verified, not a second download.
    /// </summary>
    /// <remarks>The content is complete only when the result is OK; after a problem it stops at the last good chunk.</remarks>
    public async Task<VerificationResult> VerifyAsync(string prefix, Stream? verifiedContent, CancellationToken cancellationToken = default)
    {
        byte[]? stored = await _store.GetAsync(ObjectLayout.ManifestKey(prefix), cancellationToken).ConfigureAwait(false);
        if (stored is null)
            return new(prefix, ManifestMissing, null, await InspectUnsealedAsync(prefix, verifiedContent, cancellationToken).ConfigureAwait(false));
        SignedManifest signed;
        try
        {
            signed = ManifestCodec.Read(stored);
        }
        catch (InvalidDataException ex)
        {
            return new(prefix, ex.Message, null);
        }
        var manifest = signed.Manifest;
        if (!signed.IsValid(_key))
        {
            string which = signed.KeyId == _key.KeyId ? "" : $" (signed by {signed.KeyId}, expected {_key.KeyId})";
            return new(prefix, "manifest signature invalid" + which, manifest);
        }
        if (manifest.Prefix != prefix) return new(prefix, $"manifest belongs to {manifest.Prefix}, not to this folder", manifest);
        var compression = ChunkCodec.Parse(manifest.Compression);
        byte[] chain = ChunkChain.Genesis(manifest.Kind, manifest.Id);
        var listed = new HashSet<string>(StringComparer.Ordinal) { ObjectLayout.ManifestName };
        for (int i = 0; i < manifest.Chunks.Count; i++)
        {
            var entry = manifest.Chunks[i];
            if (entry.Index != i || entry.Name != ObjectLayout.ChunkKey("", i, ChunkCodec.Extension(compression, manifest.Kind)))
                return new(prefix, $"manifest: chunk {i} listed out of order", manifest);
            listed.Add(entry.Name);
            byte[]? chunk = await _store.GetAsync(prefix + entry.Name, cancellationToken).ConfigureAwait(false);
            if (chunk is null) return new(prefix, $"chunk {i} missing", manifest);
            if (chunk.Length != entry.StoredBytes)
                return new(prefix, $"chunk {i}: size mismatch ({chunk.Length} bytes stored, {entry.StoredBytes} signed)", manifest);
            byte[] sha = SHA256.HashData(chunk);
            if (ChunkChain.Hex(sha) != entry.Sha256) return new(prefix, $"chunk {i}: SHA-256 mismatch", manifest);
            chain = ChunkChain.Next(chain, sha);
            if (ChunkChain.Hex(chain) != entry.Chain) return new(prefix, $"chunk {i}: chain mismatch", manifest);
            if (verifiedContent is null) continue;
            byte[] raw;
            try
            {
                raw = ChunkCodec.Decompress(chunk, compression);
            }
            catch (InvalidDataException)
            {
                return new(prefix, $"chunk {i}: cannot be decompressed", manifest);
            }
            await verifiedContent.WriteAsync(raw, cancellationToken).ConfigureAwait(false);
        }
        if (ChunkChain.Hex(chain) != manifest.FinalChain) return new(prefix, "manifest: final chain value mismatch", manifest);
        await foreach (var o in _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string name = o.Key[prefix.Length..];
            if (!listed.Contains(name)) return new(prefix, $"object {name} is not listed in the manifest", manifest);
        }
        return new(prefix, null, manifest);
    }

    /// <summary>Verifies every recording folder under <paramref name="root"/>, reporting progress after each.</summary>
    public async Task<IReadOnlyList<VerificationResult>> VerifyAllAsync(string root = ObjectLayout.RecordingsRoot,
        IProgress<VerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var folders = await RecordingFolders.ListAsync(_store, root, cancellationToken).ConfigureAwait(false);
        var results = new List<VerificationResult>(folders.Count);
        foreach (string folder in folders)
        {
            var result = await VerifyAsync(folder, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress?.Report(new VerificationProgress(results.Count, folders.Count, result));
        }
        return results;
    }

    /// <summary>The chunks of a folder without a manifest: how many, and how many from the first on are there and readable.</summary>
    /// <remarks>Each readable chunk's text goes to <paramref name="content"/> (when given) as it is checked, so a reader of a
    /// running recording gets the chunks so far without a second download; it stops at the first gap or unreadable chunk.</remarks>
    private async Task<UnsealedStream> InspectUnsealedAsync(string prefix, Stream? content, CancellationToken cancellationToken)
    {
        var chunks = new SortedDictionary<int, string>();
        await foreach (var o in _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string name = o.Key[prefix.Length..];
            if (name.Length > 6 && int.TryParse(name.AsSpan(0, 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                && name[6] == '.')
                chunks[index] = name;
        }
        int readable = 0;
        foreach (var (index, name) in chunks)
        {
            if (index != readable) return new(chunks.Count, readable, $"chunk {readable} missing");
            var compression = name.EndsWith(".br", StringComparison.Ordinal) ? ChunkCompression.Brotli
                : name.EndsWith(".gz", StringComparison.Ordinal) ? ChunkCompression.Gzip
                : (ChunkCompression?)null;
            byte[]? chunk = await _store.GetAsync(prefix + name, cancellationToken).ConfigureAwait(false);
            if (compression is null || chunk is null) return new(chunks.Count, readable, $"chunk {index}: {(chunk is null ? "missing" : "unknown compression")}");
            byte[] raw;
            try
            {
                raw = ChunkCodec.Decompress(chunk, compression.Value);
            }
            catch (InvalidDataException)
            {
                return new(chunks.Count, readable, $"chunk {index}: cannot be decompressed");
            }
            if (content is not null) await content.WriteAsync(raw, cancellationToken).ConfigureAwait(false);
            readable++;
        }
        return new(chunks.Count, readable, null);
    }
}
