namespace Fumidai.Gateway;

/// <summary>Owner-only modes for the data directory: files 0600, directories 0700, set at creation whatever the umask.</summary>
public static class OwnerOnlyFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (it must not exist) as a 0600 file holding <paramref name="text"/>.</summary>
    public static void WriteNew(string path, string text)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = FileMode,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>
    /// The first entry at or under <paramref name="root"/> that group or others may read, write or enter, with its mode; null when
    /// everything is owner-only. A symbolic link is judged by what it points to and not followed further; a broken one is skipped.
    /// </summary>
    public static (string Path, UnixFileMode Mode)? FindNotOwnerOnly(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var path))
        {
            FileSystemInfo entry = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            UnixFileMode mode;
            try
            {
                // Follows a symbolic link: what matters is who can read the data, not the link's own (always open) mode.
                mode = File.GetUnixFileMode(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }
            if ((mode & GroupOrOthers) != 0) return (path, mode);
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                foreach (var child in Directory.EnumerateFileSystemEntries(path)) pending.Push(child);
            }
        }
        return null;
    }
}
