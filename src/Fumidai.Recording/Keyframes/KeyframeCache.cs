using System.Globalization;
using System.Text;
using System.Text.Json;
using Fumidai.Recording.Chunks;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// A local folder of derived data per recording: the screen at each chunk boundary (keyframes), the window index, and
/// whatever else a viewer computed from the verified chunks. Rebuilt from the store at will; never a source of truth.
/// </summary>
/// <remarks>
/// A recording's folder is named by its manifest's final chain value, which commits to every chunk's SHA-256, so a manifest
/// with other chunks never finds another's keyframes; each keyframe also names the chain value before its chunk and is
/// refused when the manifest in hand says otherwise.
/// </remarks>
public sealed class KeyframeCache(string root)
{
    private const string IndexName = "index.json";

    public string Root { get; } = Path.GetFullPath(root);

    public async Task<RecordingIndex?> ReadIndexAsync(RecordingManifest manifest, CancellationToken cancellationToken)
    {
        byte[]? bytes = await ReadAsync(manifest, IndexName, cancellationToken).ConfigureAwait(false);
        if (bytes is null) return null;
        try
        {
            var index = JsonSerializer.Deserialize<RecordingIndex>(bytes);
            return index?.FinalChain == manifest.FinalChain && index.Windows.Count > 0 ? index : null;
        }
        catch (JsonException)
        {
            return null; // a damaged cache entry is rebuilt, not trusted
        }
    }

    public Task WriteIndexAsync(RecordingManifest manifest, RecordingIndex index, CancellationToken cancellationToken) =>
        WriteAsync(manifest, IndexName, JsonSerializer.SerializeToUtf8Bytes(index), cancellationToken);

    /// <summary>Stores the redraw of the screen as it is before chunk <paramref name="chunk"/>.</summary>
    public Task WriteKeyframeAsync(RecordingManifest manifest, int chunk, int columns, int rows, string redraw, CancellationToken cancellationToken) =>
        WriteAsync(manifest, KeyframeName(chunk), KeyframeBytes(ChainBefore(manifest, chunk), columns, rows, redraw), cancellationToken);

    /// <summary>The keyframe before chunk <paramref name="chunk"/>, or null when missing or made for other chunks than this manifest's.</summary>
    public async Task<(int Columns, int Rows, string Redraw)?> ReadKeyframeAsync(RecordingManifest manifest, int chunk, CancellationToken cancellationToken)
    {
        byte[]? bytes = await ReadAsync(manifest, KeyframeName(chunk), cancellationToken).ConfigureAwait(false);
        if (bytes is null) return null;
        string text = Encoding.UTF8.GetString(bytes);
        int first = text.IndexOf('\n', StringComparison.Ordinal);
        int second = first < 0 ? -1 : text.IndexOf('\n', first + 1);
        if (second < 0 || text[..first] != ChainBefore(manifest, chunk)) return null;
        string size = text[(first + 1)..second];
        int x = size.IndexOf('x', StringComparison.Ordinal);
        if (x <= 0 || !int.TryParse(size.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out int columns)
            || !int.TryParse(size.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int rows)) return null;
        return (columns, rows, text[(second + 1)..]);
    }

    /// <summary>Drops what was derived for this manifest (a chunk was found altered since): the next viewer rebuilds, and meets the damage.</summary>
    public void Forget(RecordingManifest manifest)
    {
        try
        {
            Directory.Delete(Folder(manifest), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    /// <summary>Other derived data (e.g. the command list), by name.</summary>
    public async Task<byte[]?> ReadAsync(RecordingManifest manifest, string name, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Folder(manifest), name);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half an entry.</summary>
    public async Task WriteAsync(RecordingManifest manifest, string name, byte[] data, CancellationToken cancellationToken)
    {
        string folder = Folder(manifest);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string temporary = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(temporary, data, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, Path.Combine(folder, name), overwrite: true);
    }

    /// <summary>A new, empty folder beside the recording's entries where a recorder assembles them before its manifest names the final one.</summary>
    internal string NewStagingFolder(string recordingId)
    {
        string folder = Path.Combine(RecordingFolder(recordingId), StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    /// <summary>Makes a staging folder the manifest's entries in one rename, so a viewer sees all of them or none; false when some were there already.</summary>
    internal bool Publish(string staging, RecordingManifest manifest)
    {
        string folder = Folder(manifest);
        if (!Directory.Exists(folder))
        {
            try
            {
                Directory.Move(staging, folder);
                return true;
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // A first viewer built them meanwhile; theirs are as good.
            }
        }
        Directory.Delete(staging, recursive: true);
        return false;
    }

    internal static string KeyframeName(int chunk) => string.Create(CultureInfo.InvariantCulture, $"{chunk:D6}.keyframe");

    /// <summary>A keyframe entry: the chain value before its chunk, the screen size, the redraw.</summary>
    internal static byte[] KeyframeBytes(string chainBefore, int columns, int rows, string redraw) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{chainBefore}\n{columns}x{rows}\n{redraw}"));

    internal const string IndexFileName = IndexName;

    private const string StagingPrefix = ".staging-";

    private string Folder(RecordingManifest manifest) => Path.Combine(RecordingFolder(manifest.Id), manifest.FinalChain);

    private string RecordingFolder(string recordingId)
    {
        // The id comes from a signed manifest, but a path is built from it: anything beyond plain characters is hex-encoded.
        string id = recordingId.Length <= 128 && recordingId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? recordingId : Convert.ToHexStringLower(Encoding.UTF8.GetBytes(recordingId))[..Math.Min(128, recordingId.Length * 2)];
        return Path.Combine(Root, id);
    }

    private static string ChainBefore(RecordingManifest manifest, int chunk) =>
        chunk == 0 ? ChunkChain.Hex(ChunkChain.Genesis(manifest.Kind, manifest.Id)) : manifest.Chunks[chunk - 1].Chain;
}
