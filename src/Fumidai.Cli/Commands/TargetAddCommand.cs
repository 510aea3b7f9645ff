using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Keys;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary>
/// <c>fumidai target add NAME --host HOST [--port 22] [--login LOGIN]... [--host-key "TYPE BASE64"] [--scan [--yes]] [--key FILE]</c>.
/// </summary>
/// <remarks>A target is only added with a pinned host key: given, or scanned and confirmed.</remarks>
public static class TargetAddCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var o = new TargetOptions(adding: true);
        var command = o.Command("add", "Add a target with its pinned host key, or one whose agent dials in (--agent)");
        var agent = TargetAgentCommands.AgentOption();
        var tokenTtl = TargetAgentCommands.TokenTtlOption();
        command.Options.Add(agent);
        command.Options.Add(tokenTtl);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            if (result.GetValue(agent))
            {
                await TargetAgentCommands.AddAsync(context, result, o, tokenTtl).ConfigureAwait(false);
                return;
            }
            if (result.GetValue(o.Host) is null) throw CliException.Usage("--host is required (or --agent for a target whose agent dials the bastion)");
            string target = InputValidation.Name("target", result.GetValue(o.Name));
            string address = Host(result.GetValue(o.Host));
            int portNumber = Port(result.GetValue(o.Port));
            var loginNames = o.Logins(result);
            var givenKeys = o.HostKeys(result);
            bool scanning = o.Scanning(result, givenKeys);
            if (!scanning && givenKeys.Count == 0)
                throw CliException.Usage($"a target needs a pinned host key: give --host-key \"TYPE BASE64\" or --scan");
            string? keyFile = result.GetValue(o.Key);
            if (keyFile is not null) InputValidation.InputFile("--key", keyFile);

            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (await store.GetTargetAsync(target, context.CancellationToken).ConfigureAwait(false) is not null)
                throw CliException.Conflict($"target '{target}' already exists");
            (byte[] Encrypted, SshPublicKey Key)? credential = keyFile is null ? null : TargetKeyFile.LoadAndProtect(keyFile, target, context.Data.LoadProtector());
            var credentialKey = credential?.Key;

            var pinned = scanning
                ? await ScanAndConfirmAsync(context, target, address, portNumber, result.GetValue(o.Yes), "added").ConfigureAwait(false)
                : givenKeys;
            var record = await new TargetAdministration(store, await context.AuditAsync().ConfigureAwait(false), CliContext.Actor)
                .AddAsync(target, address, portNumber, loginNames, pinned, scanning ? "scan" : "command line", credential, context.CancellationToken)
                .ConfigureAwait(false);

            context.Out.WriteLine($"added target {target} ({address}:{portNumber}), credential {record.CredentialKind}"
                + (credentialKey is null ? "" : $" {credentialKey.Fingerprint}"));
            if (loginNames.Length == 0)
                context.Error.WriteLine($"fumidai: warning: {target} has no --login; nobody can log in to it until it is added again with one");
        }, ct));
        return command;
    }

    internal static string Host(string? value) => TargetRules.Host(value);

    internal static int Port(int port) => TargetRules.Port(port);

    internal static SshPublicKey HostKey(string line) => TargetRules.HostKey(line);

    internal static async Task<IReadOnlyList<SshPublicKey>> ScanAndConfirmAsync(CliContext context, string target, string host, int port, bool yes,
        string verb)
    {
        var keys = await context.Runtime.HostKeyScanner.ScanAsync(host, port, context.CancellationToken).ConfigureAwait(false);
        context.Out.WriteLine($"Host keys of {host}:{port}:");
        foreach (var key in keys) context.Out.WriteLine($"  {key.KeyType} {key.Fingerprint}");
        if (yes) return keys;
        context.Error.Write($"Pin these host keys for {target}? Compare the fingerprints with the server's (ssh-keygen -lf). [y/N] ");
        string answer = (context.In.ReadLine() ?? "").Trim();
        if (!answer.Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
            throw CliException.Failure($"host keys not confirmed; target {target} was not {verb}");
        return keys;
    }
}
