using System.CommandLine;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai ca show [--host]</c>: the user-CA public key that targets trust, or the host CA operators trust for ProxyJump.</summary>
public static class CaCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("ca", "The bastion's user certificate authority");
        var host = new Option<bool>("--host")
        {
            Description = "Print the host CA instead, as the @cert-authority line for operators' known_hosts (ssh -J to targets)",
        };
        var show = new Command("show", "Print the user-CA public key as one line, for a target's TrustedUserCAKeys file") { host };
        show.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (result.GetValue(host))
            {
                context.Data.EnsureAuthorities();
                using var hostCa = context.Data.LoadHostCa();
                // Only the targets' names: a CA trusted for every host would let the bastion stand in for any of them.
                var names = (await store.ListTargetsAsync(context.CancellationToken).ConfigureAwait(false))
                    .SelectMany(t => new[] { t.Name, t.Host }).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (names.Count == 0) throw CliException.NotFound("no targets yet: add one with `fumidai target add` first");
                context.Out.WriteLine($"@cert-authority {string.Join(',', names)} {hostCa.PublicKey.ToOpenSsh("fumidai-host-ca")}");
                return;
            }
            using var ca = context.Data.LoadUserCa();
            context.Out.WriteLine(ca.PublicKey.ToOpenSsh("fumidai-user-ca"));
        }, ct));
        command.Subcommands.Add(show);
        return command;
    }
}
