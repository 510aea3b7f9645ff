using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai target …</c>: servers operators reach, their pinned host keys and the bastion's credential for them.</summary>
public static class TargetCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("target", "Manage targets: add, set, list, show, remove, check, setup-snippet, confirm-agent, revoke-agent");
        command.Subcommands.Add(TargetAddCommand.Create(runtime));
        command.Subcommands.Add(TargetSetCommand.Create(runtime));
        command.Subcommands.Add(List(runtime));
        command.Subcommands.Add(Show(runtime));
        command.Subcommands.Add(Remove(runtime));
        command.Subcommands.Add(TargetCheckCommand.Create(runtime));
        command.Subcommands.Add(TargetSnippetCommand.Create(runtime));
        command.Subcommands.Add(TargetAgentCommands.ConfirmAgent(runtime));
        command.Subcommands.Add(TargetAgentCommands.RevokeAgent(runtime));
        return command;
    }

    public static Argument<string> NameArgument() => new("NAME") { Description = "The target's name" };

    public static Task<TargetRecord> RequireTargetAsync(MetadataStore store, string name, CancellationToken cancellationToken) =>
        Gateway.Administration.TargetRules.RequireTargetAsync(store, name, cancellationToken);

    private static Command List(CliRuntime runtime)
    {
        var json = CliRuntime.JsonOption();
        var command = new Command("list", "List targets") { json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var agents = await TargetAgentView.LoadAsync(store, context.CancellationToken).ConfigureAwait(false);
            var views = (await store.ListTargetsAsync(context.CancellationToken).ConfigureAwait(false)).Select(t => View(t, agents)).ToList();
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, views);
                return;
            }
            var table = new TableWriter("NAME", "HOST", "PORT", "LOGINS", "CREDENTIAL", "HOST KEYS", "AGENT");
            foreach (var v in views)
                table.Add(v.Name, v.Agent is null ? v.Host : "(agent)", v.Agent is null ? v.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                    string.Join(',', v.Logins), v.Credential, string.Join(',', v.HostKeys.Select(k => k.Type)), v.Agent?.Summary ?? "-");
            table.Write(context.Out);
        }, ct));
        return command;
    }

    private static Command Show(CliRuntime runtime)
    {
        var name = NameArgument();
        var json = CliRuntime.JsonOption();
        var command = new Command("show", "Show one target with its pinned host key fingerprints") { name, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var v = View(await RequireTargetAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false),
                await TargetAgentView.LoadAsync(store, context.CancellationToken).ConfigureAwait(false));
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, v);
                return;
            }
            var o = context.Out;
            o.WriteLine($"name:       {v.Name}");
            o.WriteLine(v.Agent is null ? $"address:    {v.Host}:{v.Port}" : "address:    (reached through its agent)");
            o.WriteLine($"logins:     {(v.Logins.Count == 0 ? "-" : string.Join(',', v.Logins))}");
            o.WriteLine($"credential: {v.Credential}");
            o.WriteLine($"created:    {v.Created}");
            o.WriteLine("host keys:");
            foreach (var key in v.HostKeys) o.WriteLine($"  {key.Type} {key.Fingerprint}");
            if (v.Agent is { } agent) TargetAgentShow.Write(o, v.Name, agent);
        }, ct));
        return command;
    }

    private static Command Remove(CliRuntime runtime)
    {
        var name = NameArgument();
        var command = new Command("remove", "Remove a target (its stored key, if any, goes with it)") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var target = await RequireTargetAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            if (!await store.RemoveTargetAsync(target.Name, context.CancellationToken).ConfigureAwait(false))
                throw CliException.NotFound($"target '{target.Name}' does not exist");
            await context.RecordChangeAsync("target.remove", target: target.Name, details: new Dictionary<string, string>
            {
                ["host"] = $"{target.Host}:{target.Port}",
            }).ConfigureAwait(false);
            // Sessions open on it end: a removed target is nobody's any more.
            await UserCommands.RevokeAsync(context, store, Gateway.Storage.RevocationScopes.Policy, null, $"target {target.Name} removed").ConfigureAwait(false);
            context.Out.WriteLine($"removed target {target.Name}");
        }, ct));
        return command;
    }

    private static TargetView View(TargetRecord t, IReadOnlyDictionary<string, TargetAgentView> agents) => new(t.Name, t.Host, t.Port, t.Logins,
        t.CredentialKind, t.HostKeys.Select(HostKeyView.From).ToArray(), JsonOutput.Time(t.Created), agents.GetValueOrDefault(t.Name));

    /// <summary>A target as shown and as written by <c>--json</c> (never its stored key); <c>Agent</c> only for a target reached through its agent.</summary>
    public sealed record TargetView(string Name, string Host, int Port, IReadOnlyList<string> Logins, string Credential,
        IReadOnlyList<HostKeyView> HostKeys, string Created, TargetAgentView? Agent);

    /// <summary>A pinned host key as shown.</summary>
    public sealed record HostKeyView(string Type, string Fingerprint, string Key)
    {
        public static HostKeyView From(string line)
        {
            try
            {
                var key = SshPublicKey.ParseOpenSsh(line);
                return new HostKeyView(key.KeyType, key.Fingerprint, key.ToString());
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException)
            {
                return new HostKeyView(line.Split(' ')[0], "(unreadable)", line);
            }
        }
    }
}
