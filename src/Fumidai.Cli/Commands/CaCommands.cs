using System.CommandLine;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai ca show</c>: the user-CA public key that targets trust.</summary>
public static class CaCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("ca", "The bastion's user certificate authority");
        var show = new Command("show", "Print the user-CA public key as one line, for a target's TrustedUserCAKeys file");
        show.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            await context.OpenStoreAsync().ConfigureAwait(false);
            using var ca = context.Data.LoadUserCa();
            context.Out.WriteLine(ca.PublicKey.ToOpenSsh("fumidai-user-ca"));
        }, ct));
        command.Subcommands.Add(show);
        return command;
    }
}
