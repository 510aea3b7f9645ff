namespace Fumidai.Recording.Chunks;

/// <summary>Owner-only file writes that survive a crash: atomic replace (temp, fsync, rename) and fsynced appends.</summary>
internal static class DurableFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Mode }))
        {
            file.Write(data);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static void AppendLine(string path, ReadOnlySpan<byte> line)
    {
        using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = Mode });
        file.Write(line);
        file.WriteByte((byte)'\n');
        file.Flush(flushToDisk: true);
    }
}
