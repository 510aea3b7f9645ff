using System.CommandLine;
using System.Runtime.InteropServices;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai serve</c>: run the bastion, logging to stdout; SIGTERM or Ctrl-C drains and stops.</summary>
public static class ServeCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var listen = new Option<string?>("--ssh-listen")
        {
            Description = "Address and port for operators' SSH connections (default from the configuration: 0.0.0.0:2222)",
            HelpName = "ADDR:PORT",
        };
        var command = new Command("serve", "Run the bastion: operators connect with ssh, sessions are recorded");
        command.Options.Add(listen);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            await context.OpenStoreAsync().ConfigureAwait(false);
            using var loggers = EscapingConsoleFormatter.CreateFactory();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            var service = new BastionService(context.Data, loggers);
            try
            {
                await service.RunAsync(result.GetValue(listen), stop.Token).ConfigureAwait(false);
            }
            catch (DataDirectoryInUseException ex)
            {
                throw new CliException(ExitCodes.Conflict, ex.Message);
            }
        }, CancellationToken.None));
        return command;
    }

}
