using System.Runtime.InteropServices;

namespace Fumidai.Cli.Infrastructure;

/// <summary>The few POSIX calls .NET does not offer: the process umask, and link(2) to publish a file without replacing one.</summary>
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

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string newPath);
}
