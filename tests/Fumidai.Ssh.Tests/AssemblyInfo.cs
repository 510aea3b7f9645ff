// The tests drive Debian OpenSSH binaries and POSIX file modes: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
