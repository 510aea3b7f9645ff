// Fumidai runs on Linux (DESIGN.md: Debian); POSIX file modes protect keys and secrets.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
