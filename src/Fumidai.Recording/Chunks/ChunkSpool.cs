using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>The local spool folder of one recording: open parts, sealed chunks awaiting upload, the chunk journal, the manifest.</summary>
/// <remarks>
/// Files: <c>recording.json</c> (descriptor, written first), <c>part-NNNNNN.cast</c> (raw asciicast lines of a chunk
/// not sealed yet), <c>NNNNNN.cast.br</c> (sealed chunk; deleted once uploaded), <c>chunks.jsonl</c> (one
/// <see cref="ChunkEntry"/> per sealed chunk, fsynced), <c>manifest.json</c> (signed; the folder goes once it is
/// uploaded). Every step is idempotent so a crash anywhere is finished by <see cref="RecoveryScanner"/>: a part is
/// deleted only after its entry is journalled, a chunk file only after it is uploaded.
/// </remarks>
public sealed class ChunkSpool
{
    private const string DescriptorFile = "recording.json";
    private const string JournalFile = "chunks.jsonl";
    private const string ManifestFile = "manifest.json";
    private const string PartPrefix = "part-";
    private const string PartSuffix = ".cast";
    private readonly List<ChunkEntry> _entries;
    private byte[] _chain;

    private ChunkSpool(string directory, RecordingDescriptor descriptor, List<ChunkEntry> entries)
    {
        Directory = directory;
        Descriptor = descriptor;
        _entries = entries;
        _chain = entries.Count == 0 ? ChunkChain.Genesis(descriptor.Kind, descriptor.Id) : Convert.FromHexString(entries[^1].Chain);
    }

    public string Directory { get; }

    public RecordingDescriptor Descriptor { get; }

    public IReadOnlyList<ChunkEntry> Entries => _entries;

    public string ManifestPath => Path.Combine(Directory, ManifestFile);

    public bool HasManifest => File.Exists(ManifestPath);

    public string ManifestKey => ObjectLayout.ManifestKey(Descriptor.Prefix);

    /// <summary>Creates <c>root/ID/</c> (owner-only) and records the descriptor.</summary>
    public static ChunkSpool Create(string root, RecordingDescriptor descriptor)
    {
        string directory = Path.Combine(root, descriptor.Id);
        System.IO.Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(Path.Combine(directory, DescriptorFile))) throw new IOException($"spool {directory} already exists");
        DurableFile.WriteAtomic(Path.Combine(directory, DescriptorFile), JsonSerializer.SerializeToUtf8Bytes(descriptor, ManifestCodec.Json));
        return new ChunkSpool(directory, descriptor, []);
    }

    /// <summary>Opens a spool left by an earlier process; a journal line cut by a crash is dropped (its part is still there).</summary>
    public static ChunkSpool Open(string directory)
    {
        var descriptor = JsonSerializer.Deserialize<RecordingDescriptor>(File.ReadAllBytes(Path.Combine(directory, DescriptorFile)), ManifestCodec.Json)
            ?? throw new InvalidDataException($"empty descriptor in {directory}");
        var entries = new List<ChunkEntry>();
        string journal = Path.Combine(directory, JournalFile);
        if (File.Exists(journal))
        {
            foreach (string line in File.ReadAllText(journal).Split('\n'))
            {
                if (line.Length == 0) continue;
                ChunkEntry? entry;
                try
                {
                    entry = JsonSerializer.Deserialize<ChunkEntry>(line, ManifestCodec.Json);
                }
                catch (JsonException)
                {
                    break;
                }
                if (entry is null || entry.Index != entries.Count) break;
                entries.Add(entry);
            }
            // Rewrite so a torn tail cannot sit between good lines after the next append.
            DurableFile.WriteAtomic(journal, System.Text.Encoding.UTF8.GetBytes(string.Concat(entries.Select(e => JsonSerializer.Serialize(e, ManifestCodec.Json) + "\n"))));
        }
        return new ChunkSpool(directory, descriptor, entries);
    }

    /// <summary>True when <paramref name="directory"/> looks like a recording spool.</summary>
    public static bool IsSpool(string directory) => File.Exists(Path.Combine(directory, DescriptorFile));

    public string PartPath(int index) => Path.Combine(Directory, PartPrefix + index.ToString("D6", CultureInfo.InvariantCulture) + PartSuffix);

    public string ChunkName(int index) => ObjectLayout.ChunkKey("", index, ChunkCodec.Extension(Descriptor.Compression, Descriptor.Kind));

    public string ChunkPath(ChunkEntry entry) => Path.Combine(Directory, entry.Name);

    public string ChunkKey(ChunkEntry entry) => Descriptor.Prefix + entry.Name;

    /// <summary>Part numbers still on disk, in order.</summary>
    public IReadOnlyList<int> PendingParts() =>
        System.IO.Directory.EnumerateFiles(Directory, PartPrefix + "*" + PartSuffix)
            .Select(p => Path.GetFileName(p)[PartPrefix.Length..^PartSuffix.Length])
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1)
            .Where(n => n >= 0).Order().ToList();

    /// <summary>Chunks sealed but not yet uploaded (their file is still here).</summary>
    public IReadOnlyList<ChunkEntry> UnuploadedChunks() => _entries.Where(e => File.Exists(ChunkPath(e))).ToList();

    /// <summary>Compresses part <paramref name="index"/> into a chunk, chains it, journals it, removes the part; null for an empty part.</summary>
    /// <param name="index">The part to seal, the next in order.</param>
    /// <param name="sealedText">Called once the chunk is journalled, with its raw lines (valid only during the call).</param>
    public ChunkEntry? Seal(int index, Action<ChunkEntry, ReadOnlySpan<byte>>? sealedText = null)
    {
        string part = PartPath(index);
        if (index < _entries.Count)
        {
            // Sealed and journalled before a crash; only the part's removal was missed.
            File.Delete(part);
            return null;
        }
        if (index != _entries.Count) throw new InvalidOperationException($"chunk {index} sealed out of order (next is {_entries.Count})");
        // Parts are megabytes each and a fast session seals many a second: read into a pooled buffer, not a new array.
        byte[] buffer;
        int length;
        using (var file = File.OpenRead(part))
        {
            length = checked((int)file.Length);
            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            file.ReadExactly(buffer, 0, length);
        }
        try
        {
            // A line cut by a crash would break players; the writer itself only seals at line ends.
            int rawLength = buffer.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
            if (rawLength == 0)
            {
                File.Delete(part);
                return null;
            }
            byte[] stored = ChunkCodec.Compress(buffer.AsSpan(0, rawLength), Descriptor.Compression);
            byte[] sha = SHA256.HashData(stored);
            byte[] chain = ChunkChain.Next(_chain, sha);
            var entry = new ChunkEntry(index, ChunkName(index), rawLength, stored.Length, ChunkChain.Hex(sha), ChunkChain.Hex(chain));
            DurableFile.WriteAtomic(ChunkPath(entry), stored);
            DurableFile.AppendLine(Path.Combine(Directory, JournalFile), JsonSerializer.SerializeToUtf8Bytes(entry, ManifestCodec.Json));
            _entries.Add(entry);
            _chain = chain;
            File.Delete(part);
            sealedText?.Invoke(entry, buffer.AsSpan(0, rawLength));
            return entry;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Builds, signs and stores the manifest locally; it is uploaded after every chunk.</summary>
    public RecordingManifest WriteManifest(string endReason, DateTimeOffset end, IManifestSigner signer)
    {
        var d = Descriptor;
        var manifest = new RecordingManifest
        {
            Kind = d.Kind,
            Id = d.Id,
            Prefix = d.Prefix,
            Start = d.Start,
            End = end,
            EndReason = endReason,
            Metadata = d.Metadata,
            Compression = ChunkCodec.Label(d.Compression),
            Chunks = _entries.ToList(),
            TotalRawBytes = _entries.Sum(e => e.RawBytes),
            TotalStoredBytes = _entries.Sum(e => e.StoredBytes),
            FinalChain = ChunkChain.Hex(_chain),
        };
        DurableFile.WriteAtomic(ManifestPath, ManifestCodec.Write(manifest, signer));
        return manifest;
    }

    /// <summary>Removes the folder once the manifest is in the store.</summary>
    public void Delete() => System.IO.Directory.Delete(Directory, recursive: true);
}
