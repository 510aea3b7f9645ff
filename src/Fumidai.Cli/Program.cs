using Fumidai.Cli;
using Fumidai.Cli.Infrastructure;

// Before anything is created: files the code makes without an explicit mode (SQLite's, folders made by libraries) stay
// owner-only whatever umask the service manager or the admin's shell gave us.
Posix.SetUmask(Posix.OwnerOnlyUmask);
return await FumidaiCommandLine.RunAsync(args, new CliRuntime(CliConsole.System)).ConfigureAwait(false);
