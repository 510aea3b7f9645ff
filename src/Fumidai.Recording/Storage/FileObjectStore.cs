using System.Runtime.CompilerServices;

namespace Fumidai.Recording.Storage;

/// <summary>An object store in a local directory: each key is a file, written atomically (temp file, fsync, rename).</summary>
public sealed class FileObjectStore : IObjectStore
{
    private const string TempSuffix = ".tmp";
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root;

    /// <summary>Stores objects under <paramref name="root"/> (created owner-only when missing).</summary>
    public FileObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Description => "directory " + _root;

    /// <summary>Creates the missing folders one by one: given a mode, .NET applies it to the last one only.</summary>
    private static void CreateDirectories(string directory)
    {
        if (Directory.Exists(directory)) return;
        if (Path.GetDirectoryName(directory) is { } parent) CreateDirectories(parent);
        Directory.CreateDirectory(directory, DirectoryMode);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string>? metadata = null,
        ObjectRetention? retention = null, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        CreateDirectories(Path.GetDirectoryName(path)!);
        // A unique temp name: two writers of the same key (a retry racing a slow first attempt) never share a file.
        string temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
                Options = FileOptions.Asynchronous,
            }))
            {
                await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ObjectStoreException($"cannot write {key} in {Description}: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        if (!Directory.Exists(_root)) yield break;
        // Walk only the directory that holds the prefix, not the whole tree.
        int slash = prefix.LastIndexOf('/');
        string start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(start)) yield break;
        var found = new List<ObjectInfo>();
        foreach (string path in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            if (path.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
            string key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var info = new FileInfo(path);
            found.Add(new ObjectInfo(key, info.Length, info.LastWriteTimeUtc));
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public async Task CheckWritableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await PutAsync(ObjectLayout.WriteProbeKey, "fumidai write probe\n"u8.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException ex)
        {
            throw new ObjectStoreException($"recording store {Description} is not writable: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    private string PathOf(string key)
    {
        ObjectLayout.ValidateKey(key);
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
