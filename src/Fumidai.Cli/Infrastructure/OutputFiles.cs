using System.Runtime.InteropServices;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Files the CLI is asked to write (an exported recording): 0600, complete or not at all, never written through a
/// symbolic link, never over an existing file unless the caller was told to replace it.</summary>
public static class OutputFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Refuses early what <see cref="Write"/> would refuse, so nothing is read (or audited) for a file that cannot be written.</summary>
    public static string Check(string option, string? path, bool overwrite)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CliException.Usage($"{option}: a file name is required");
        if (IsSymbolicLink(path)) throw SymbolicLink(path);
        InputValidation.OutputFile(option, path);
        if (File.Exists(path) && !overwrite) throw Exists(path);
        return path;
    }

    /// <summary>Writes a temporary file beside <paramref name="destination"/>, then gives it the final name in one step.</summary>
    public static void Write(string destination, bool overwrite, Action<Stream> write)
    {
        string full = Path.GetFullPath(destination);
        // O_CREAT|O_EXCL: a name someone put there first, symbolic link included, is an error rather than a file we write into.
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnly,
            }))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Publish(temporary, full, destination, overwrite);
        }
        finally
        {
            // Already gone once published; otherwise nothing half-written stays behind.
            File.Delete(temporary);
        }
    }

    private static void Publish(string temporary, string full, string shown, bool overwrite)
    {
        if (IsSymbolicLink(full)) throw SymbolicLink(shown);
        if (overwrite)
        {
            // rename(2) replaces the name itself: a symbolic link put there since the check is replaced, never followed.
            File.Move(temporary, full, overwrite: true);
            return;
        }
        // link(2) neither replaces nor follows: unlike a check followed by rename, no file can appear in between and be lost.
        int error = Posix.Link(temporary, full);
        if (error == Posix.AlreadyExists) throw IsSymbolicLink(full) ? SymbolicLink(shown) : Exists(shown);
        if (error != 0) throw new IOException($"cannot create {shown}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    private static bool IsSymbolicLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static CliException SymbolicLink(string path) =>
        CliException.Conflict($"{path} is a symbolic link; refusing to write through it (remove it or choose another name)");

    private static CliException Exists(string path) => CliException.Conflict($"{path} already exists; use --force to replace it");
}
