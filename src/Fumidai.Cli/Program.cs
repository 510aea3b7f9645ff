using Fumidai.Cli;
using Fumidai.Cli.Infrastructure;

return await FumidaiCommandLine.RunAsync(args, new CliRuntime(CliConsole.System)).ConfigureAwait(false);
