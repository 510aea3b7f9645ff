using System.Security.Cryptography;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Keyframes;

/// <summary>Reads one chunk of a verified manifest and gives out its text only when its stored bytes still hash to the signed value.</summary>
public static class ChunkFetcher
{
    /// <summary>Checks every chunk's stored size and SHA-256 against the manifest without decompressing any (a tenth of the bytes, no screen model).</summary>
    /// <exception cref="RecordingTamperedException">A chunk is missing, or differs from what the manifest signed.</exception>
    public static async Task CheckAllAsync(IObjectStore store, RecordingManifest manifest, CancellationToken cancellationToken)
    {
        for (int i = 0; i < manifest.Chunks.Count; i++)
        {
            var entry = manifest.Chunks[i];
            byte[] stored = await store.GetAsync(manifest.Prefix + entry.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new RecordingTamperedException($"chunk {i} missing");
            if (stored.Length != entry.StoredBytes)
                throw new RecordingTamperedException($"chunk {i}: size mismatch ({stored.Length} bytes stored, {entry.StoredBytes} signed)");
            if (ChunkChain.Hex(SHA256.HashData(stored)) != entry.Sha256) throw new RecordingTamperedException($"chunk {i}: SHA-256 mismatch");
        }
    }

    /// <summary>The chunk's asciicast text.</summary>
    /// <exception cref="RecordingTamperedException">The chunk is missing, or differs from what the manifest signed.</exception>
    public static async Task<byte[]> ReadAsync(IObjectStore store, RecordingManifest manifest, int index, CancellationToken cancellationToken)
    {
        var entry = manifest.Chunks[index];
        byte[] stored = await store.GetAsync(manifest.Prefix + entry.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new RecordingTamperedException($"chunk {index} missing");
        if (stored.Length != entry.StoredBytes)
            throw new RecordingTamperedException($"chunk {index}: size mismatch ({stored.Length} bytes stored, {entry.StoredBytes} signed)");
        if (ChunkChain.Hex(SHA256.HashData(stored)) != entry.Sha256) throw new RecordingTamperedException($"chunk {index}: SHA-256 mismatch");
        try
        {
            return ChunkCodec.Decompress(stored, ChunkCodec.Parse(manifest.Compression));
        }
        catch (InvalidDataException)
        {
            throw new RecordingTamperedException($"chunk {index}: cannot be decompressed");
        }
    }
}

/// <summary>A piece of a signed recording no longer matches its manifest; the message names it as the verifier would.</summary>
public sealed class RecordingTamperedException(string problem) : Exception(problem);
