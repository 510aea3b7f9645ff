using System.CommandLine;
using Fumidai.Agent;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary>
/// Targets without an inbound port: <c>target add NAME --agent [--token-ttl 1h] [--yes]</c> (prints the one-time join token),
/// <c>target confirm-agent NAME</c> (pins the host keys its agent reported) and <c>target revoke-agent NAME</c>.
/// </summary>
public static class TargetAgentCommands
{
    private static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(7);

    public static Option<bool> AgentOption() => new("--agent")
    {
        Description = "The target has no inbound port: its agent (`fumidai agent`) dials the bastion; prints a one-time join token",
    };

    public static Option<string> TokenTtlOption() => new("--token-ttl")
    {
        Description = "With --agent: how long the join token stays valid (default 1h, at most 7d)", HelpName = "DURATION",
        DefaultValueFactory = _ => "1h",
    };

    /// <summary>Adds the target without an address and prints its join token once; --yes pins the host keys of the agent's first report.</summary>
    internal static async Task AddAsync(CliContext context, ParseResult result, TargetOptions o, Option<string> ttlOption)
    {
        string target = InputValidation.Name("target", result.GetValue(o.Name));
        if (result.GetValue(o.Host) is not null || result.GetResult(o.Port) is { Implicit: false } || o.HostKeys(result).Count > 0
            || result.GetValue(o.Scan) || result.GetValue(o.Key) is not null)
            throw CliException.Usage("--agent takes no --host, --port, --host-key, --scan or --key: the agent reports its sshd's host keys");
        string ttlText = result.GetValue(ttlOption) ?? "1h";
        if (!Duration.TryParse(ttlText, out var ttl) || ttl <= TimeSpan.Zero || ttl > MaxTokenLifetime)
            throw CliException.Usage($"--token-ttl must be a duration from 1s to 7d, like 1h; got '{ttlText}'");
        var logins = o.Logins(result);
        bool acceptFirst = result.GetValue(o.Yes);

        var store = await context.OpenStoreAsync().ConfigureAwait(false);
        if (await store.GetTargetAsync(target, context.CancellationToken).ConfigureAwait(false) is not null)
            throw CliException.Conflict($"target '{target}' already exists");
        var hostKey = context.Data.LoadHostKeys().FirstOrDefault(k => k.PublicKey.KeyType == SshKeyTypes.Ed25519)
            ?? throw CliException.Failure("the bastion has no Ed25519 host key for the agent to pin; run `fumidai init`");
        string token = AgentToken.Create(hostKey.PublicKey.Fingerprint);
        if (!AgentToken.TryParse(token, out var secret, out _)) throw new InvalidOperationException("a new join token does not parse");
        var now = DateTimeOffset.UtcNow;
        if (!await store.AddAgentTargetAsync(new TargetRecord(target, "", 0, logins, [], null, now), AgentToken.Hash(secret), now + ttl, acceptFirst,
            context.CancellationToken).ConfigureAwait(false))
            throw CliException.Conflict($"target '{target}' already exists");
        await context.RecordChangeAsync("target.add", target: target, details: new Dictionary<string, string>
        {
            ["host"] = "agent",
            ["logins"] = string.Join(',', logins),
            ["token_expires"] = Output.JsonOutput.Time(now + ttl),
            ["host_keys_from"] = acceptFirst ? "agent (first report accepted)" : "agent (admin confirms)",
        }).ConfigureAwait(false);

        var output = context.Out;
        output.WriteLine($"added target {target} (reached through its agent), credential certificate");
        output.WriteLine($"join token, shown once, valid until {Output.JsonOutput.Time(now + ttl)} and for one join:");
        output.WriteLine(token);
        output.WriteLine($"on {target}: fumidai agent --bastion BASTION:PORT --name {target} --token TOKEN [--forward 127.0.0.1:22]");
        if (!acceptFirst)
            output.WriteLine($"then confirm the host keys its agent reports: fumidai target show {target}; fumidai target confirm-agent {target}");
        if (logins.Length == 0)
            context.Error.WriteLine($"fumidai: warning: {target} has no --login; nobody can log in to it until it is set with one");
    }

    public static Command ConfirmAgent(CliRuntime runtime)
    {
        var name = TargetCommands.NameArgument();
        var yes = new Option<bool>("--yes") { Description = "Pin without asking" };
        var command = new Command("confirm-agent", "Pin the host keys an agent target's agent reported (compare the fingerprints first)") { name, yes };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var (target, agent) = await RequireAgentTargetAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            if (agent.PendingHostKeys.Count == 0)
                throw CliException.Failure($"the agent of {target.Name} has reported no host keys waiting for confirmation");
            var keys = agent.PendingHostKeys.Select(SshPublicKey.ParseOpenSsh).ToList();
            context.Out.WriteLine($"Host keys reported by the agent of {target.Name}:");
            foreach (var key in keys) context.Out.WriteLine($"  {key.KeyType} {key.Fingerprint}");
            if (!result.GetValue(yes))
            {
                context.Error.Write($"Pin these host keys for {target.Name}? Compare them with the server's (ssh-keygen -lf). [y/N] ");
                string answer = (context.In.ReadLine() ?? "").Trim();
                if (!answer.Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
                    throw CliException.Failure($"host keys not confirmed; target {target.Name} was not changed");
            }
            var updated = target with { HostKeys = keys.Select(k => k.ToString()).ToArray() };
            await new TargetAdministration(store, await context.AuditAsync().ConfigureAwait(false), CliContext.Actor)
                .UpdateAsync(target, updated, "agent", null, context.CancellationToken).ConfigureAwait(false);
            await store.SetAgentPendingHostKeysAsync(target.Name, [], context.CancellationToken).ConfigureAwait(false);
            context.Out.WriteLine($"pinned {keys.Count} host key(s) for {target.Name}");
        }, ct));
        return command;
    }

    public static Command RevokeAgent(CliRuntime runtime)
    {
        var name = TargetCommands.NameArgument();
        var command = new Command("revoke-agent", "Refuse an agent target's agent from now on and drop its connections (add the target again to rejoin)") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var (target, agent) = await RequireAgentTargetAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            if (agent.Revoked is not null) throw CliException.Conflict($"the agent of {target.Name} is already revoked");
            await store.RevokeAgentAsync(target.Name, DateTimeOffset.UtcNow, context.CancellationToken).ConfigureAwait(false);
            var details = new Dictionary<string, string>();
            if (agent.AgentKey is { } key) details["key"] = SshPublicKey.ParseOpenSsh(key).Fingerprint;
            await context.RecordChangeAsync("target.revoke-agent", target: target.Name, details: details).ConfigureAwait(false);
            context.Out.WriteLine($"revoked the agent of {target.Name}: its key is refused, and every node drops its connection within seconds");
        }, ct));
        return command;
    }

    private static async Task<(TargetRecord Target, Gateway.Agents.AgentTargetRecord Agent)> RequireAgentTargetAsync(MetadataStore store, string name,
        CancellationToken cancellationToken)
    {
        var target = await TargetCommands.RequireTargetAsync(store, name, cancellationToken).ConfigureAwait(false);
        var agent = await store.GetAgentTargetAsync(target.Name, cancellationToken).ConfigureAwait(false);
        if (!target.ViaAgent || agent is null) throw CliException.Usage($"target '{target.Name}' is not reached through an agent");
        return (target, agent);
    }
}
