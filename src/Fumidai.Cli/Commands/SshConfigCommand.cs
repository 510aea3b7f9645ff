using System.CommandLine;
using System.Net;
using System.Text;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Policy;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai ssh-config USER</c>: a ready <c>~/.ssh/config</c> block and the <c>known_hosts</c> lines that go with it.</summary>
public static class SshConfigCommand
{
    public const string BastionAlias = "fumidai";

    public static Command Create(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var host = new Option<string?>("--host")
        {
            Description = "The bastion's name as operators reach it (default: the listen address, or this machine's name when it listens on all)",
            HelpName = "NAME",
        };
        var knownHostsOnly = new Option<bool>("--known-hosts") { Description = "Print only the known_hosts lines (for `>> ~/.ssh/known_hosts`)" };
        var json = CliRuntime.JsonOption();
        var command = new Command("ssh-config", "Print a ~/.ssh/config block for a user (the bastion, her targets through ProxyJump) and the known_hosts lines")
        {
            name, host, knownHostsOnly, json,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? given = result.GetValue(host);
            if (given is not null && (given.Length == 0 || given.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                throw CliException.Usage($"--host: '{given}' is not a host name");
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var options = context.Data.LoadOptions();
            var listen = IPEndPoint.Parse(options.Ssh.Listen);
            string bastion = given ?? (listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : listen.Address.ToString());
            var policy = new AccessPolicy(await store.ListRolesAsync(context.CancellationToken).ConfigureAwait(false));
            var targets = policy.Reachable(user, await store.ListTargetsAsync(context.CancellationToken).ConfigureAwait(false));

            var config = new StringBuilder()
                .Append("# Fumidai bastion for ").Append(user.Name).Append(" (fumidai ssh-config)\n")
                .Append("Host ").Append(BastionAlias).Append('\n')
                .Append("    HostName ").Append(bastion).Append('\n')
                .Append("    Port ").Append(listen.Port).Append('\n')
                .Append("    User ").Append(user.Name).Append('\n');
            foreach (var (target, logins) in targets)
            {
                config.Append("\nHost ").Append(target.Name).Append('\n')
                    .Append("    HostName ").Append(target.Name).Append('\n')
                    .Append("    User ").Append(logins[0]).Append('\n')
                    .Append("    ProxyJump ").Append(BastionAlias).Append('\n');
            }
            string hostPattern = listen.Port == 22 ? bastion : $"[{bastion}]:{listen.Port}";
            var knownHosts = context.Data.HostKeyPaths.Where(p => File.Exists(p + ".pub"))
                .Select(p => hostPattern + " " + SshPublicKey.ParseOpenSsh(File.ReadAllText(p + ".pub").Trim()).ToOpenSsh())
                .ToList();
            if (File.Exists(context.Data.HostCaKeyPath + ".pub") && targets.Count > 0)
            {
                var ca = SshPublicKey.ParseOpenSsh(File.ReadAllText(context.Data.HostCaKeyPath + ".pub").Trim());
                knownHosts.Add("@cert-authority " + string.Join(',', targets.Select(t => t.Target.Name)) + " " + ca.ToOpenSsh());
            }
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, new SshConfigView(user.Name, config.ToString(), knownHosts));
                return;
            }
            if (result.GetValue(knownHostsOnly))
            {
                foreach (var line in knownHosts) context.Out.WriteLine(line);
                return;
            }
            // Line by line: the console escapes control characters inside a write, newlines included.
            foreach (var line in config.ToString().Split('\n')) context.Out.WriteLine(line);
            context.Out.WriteLine($"# ~/.ssh/known_hosts lines (fumidai ssh-config {user.Name} --known-hosts >> ~/.ssh/known_hosts):");
            foreach (var line in knownHosts) context.Out.WriteLine("# " + line);
        }, ct));
        return command;
    }

    /// <summary>What <c>--json</c> prints: the config block and the known_hosts lines, each ready to write to its file.</summary>
    public sealed record SshConfigView(string User, string Config, IReadOnlyList<string> KnownHosts);
}
