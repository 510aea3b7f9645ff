using System.Runtime.InteropServices;

namespace Fumidai.Cli.Infrastructure;

/// <summary>
/// The few POSIX calls .NET does not offer: the process umask, link(2) to publish a file without replacing one, and the
/// open-file limit.
/// </summary>
public static partial class Posix
{
    /// <summary>Octal 077: nothing a fumidai process creates is readable, writable or searchable by group or others.</summary>
    public const uint OwnerOnlyUmask = 0x3F;

    /// <summary>EEXIST on Linux: link(2) found something (a file, a directory, a symbolic link) at the new name.</summary>
    public const int AlreadyExists = 17;

    /// <summary>Sets the process's umask, returning the previous one.</summary>
    public static uint SetUmask(uint mask) => Umask(mask);

    /// <summary>Gives <paramref name="existing"/> the second name <paramref name="newPath"/>; never replaces nor follows what is
    /// there. Returns 0, or the errno (<see cref="AlreadyExists"/> when the name is taken).</summary>
    public static int Link(string existing, string newPath) => LinkNative(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// Raises the soft open-file limit to the hard one (the .NET runtime does so itself at start on Linux; this makes sure
    /// and reads the result): each session holds two sockets and a spool file, and services often start at a soft limit
    /// of 1024. Returns the soft limit before and after and the hard limit, or null when they cannot be read.
    /// </summary>
    public static (ulong Before, ulong After, ulong Hard)? RaiseOpenFileLimit()
    {
        if (!OperatingSystem.IsLinux() || GetRlimit(OpenFilesResource, out var limit) != 0) return null;
        ulong before = limit.Current;
        if (limit.Current < limit.Maximum && SetRlimit(OpenFilesResource, limit with { Current = limit.Maximum }) == 0)
            return (before, limit.Maximum, limit.Maximum);
        return (before, before, limit.Maximum);
    }

    /// <summary>RLIMIT_NOFILE on Linux (all architectures .NET runs on).</summary>
    private const int OpenFilesResource = 7;

    [StructLayout(LayoutKind.Sequential)]
    private record struct ResourceLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string newPath);
}
