using System.CommandLine;
using System.Runtime.InteropServices;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway;
using Fumidai.Gateway.Lifecycle;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai serve</c>: run the bastion, logging to stdout; SIGTERM or Ctrl-C drains and stops, a second one cuts at once.</summary>
public static class ServeCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var listen = new Option<string?>("--ssh-listen")
        {
            Description = "Address and port for operators' SSH connections (default from the configuration: 0.0.0.0:2222)",
            HelpName = "ADDR:PORT",
        };
        var command = new Command("serve", "Run the bastion: operators connect with ssh, sessions are recorded. SIGTERM or Ctrl-C "
            + "stops new logins and lets sessions finish for Sessions:DrainTimeout (60s), then cuts them; a second one cuts at once");
        command.Options.Add(listen);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            RequireOwnerOnly(context.Data);
            await context.OpenStoreAsync().ConfigureAwait(false);
            using var loggers = EscapingConsoleFormatter.CreateFactory();
            // The first SIGTERM or Ctrl-C drains; a second one cuts the sessions still running.
            using var requests = new StopRequests();
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                requests.Request();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                requests.Request();
            });
            using var cancelled = ct.Register(requests.Request);
            var service = new BastionService(context.Data, loggers);
            try
            {
                await service.RunAsync(result.GetValue(listen), requests).ConfigureAwait(false);
            }
            catch (DataDirectoryInUseException ex)
            {
                throw new CliException(ExitCodes.Conflict, ex.Message);
            }
        }, CancellationToken.None));
        return command;
    }

    /// <summary>Refuses a data directory others can read or write: its keys, secrets and recordings are the bastion's alone.</summary>
    private static void RequireOwnerOnly(DataDirectory data)
    {
        if (!Directory.Exists(data.Root) || data.FindNotOwnerOnly() is not { } loose) return;
        throw new CliException(ExitCodes.Configuration,
            $"{loose.Path} has mode {Convert.ToString((int)loose.Mode, 8).PadLeft(4, '0')}: group or others may use it, and everything in "
            + $"the data directory must be owner-only; fix it with: chmod -R go-rwx {data.Root}");
    }
}
