using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Administration;
using Fumidai.Cli.Keys;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary>
/// <c>fumidai target set NAME [--host H] [--port P] [--login L]... [--host-key KEY... | --scan [--yes]] [--key FILE]</c>: edits a
/// target in place, e.g. to re-pin a host key that changed on purpose; the old and new fingerprints are shown and audited.
/// </summary>
public static class TargetSetCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var o = new TargetOptions(adding: false);
        var command = o.Command("set", "Change a target: each option given replaces that part (re-pin host keys with --host-key or --scan)");
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? address = result.GetValue(o.Host) is { } h ? TargetAddCommand.Host(h) : null;
            int? portNumber = result.GetResult(o.Port) is { Implicit: false } ? TargetAddCommand.Port(result.GetValue(o.Port)) : null;
            var loginNames = o.Logins(result);
            var givenKeys = o.HostKeys(result);
            bool scanning = o.Scanning(result, givenKeys);
            string? keyFile = result.GetValue(o.Key);
            if (keyFile is not null) InputValidation.InputFile("--key", keyFile);
            if (address is null && portNumber is null && loginNames.Length == 0 && givenKeys.Count == 0 && !scanning && keyFile is null)
                throw CliException.Usage("nothing to change: give --host, --port, --login, --host-key, --scan or --key");

            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var current = await TargetCommands.RequireTargetAsync(store, result.GetValue(o.Name)!, context.CancellationToken).ConfigureAwait(false);
            // An address would silently turn an agent target into a direct one behind its agent's back; its keys come from the agent.
            if (current.ViaAgent && (address is not null || portNumber is not null || scanning))
                throw CliException.Usage($"target {current.Name} is reached through its agent: it has no address or port to change, and its host keys "
                    + $"come from the agent's report (fumidai target confirm-agent {current.Name}); to reach it directly instead, remove it and add it with --host");
            var updated = current with
            {
                Host = address ?? current.Host,
                Port = portNumber ?? current.Port,
                Logins = loginNames.Length > 0 ? loginNames : current.Logins,
            };
            var details = new Dictionary<string, string>();
            if (keyFile is not null)
            {
                var (encrypted, credential) = TargetKeyFile.LoadAndProtect(keyFile, current.Name, context.Data.LoadProtector());
                updated = updated with { EncryptedPrivateKey = encrypted };
                details["credential_key"] = credential.Fingerprint;
            }
            IReadOnlyList<SshPublicKey>? pinned = scanning
                ? await TargetAddCommand.ScanAndConfirmAsync(context, current.Name, updated.Host, updated.Port, result.GetValue(o.Yes), "changed")
                    .ConfigureAwait(false)
                : givenKeys.Count > 0 ? givenKeys : null;
            if (pinned is not null) updated = updated with { HostKeys = pinned.Select(k => k.ToString()).ToArray() };
            await new TargetAdministration(store, await context.AuditAsync().ConfigureAwait(false), CliContext.Actor)
                .UpdateAsync(current, updated, pinned is null ? null : scanning ? "scan" : "command line", details, context.CancellationToken).ConfigureAwait(false);
            string oldKeys = Fingerprints(current.HostKeys), newKeys = Fingerprints(updated.HostKeys);

            var output = context.Out;
            output.WriteLine($"changed target {current.Name} ({updated.Host}:{updated.Port}), logins {string.Join(',', updated.Logins)}, credential {updated.CredentialKind}");
            if (pinned is not null)
            {
                output.WriteLine($"  host keys were: {oldKeys}");
                output.WriteLine($"  host keys now:  {newKeys}");
            }
        }, ct));
        return command;
    }

    private static string Fingerprints(IEnumerable<string> keys) => TargetRules.Fingerprints(keys);
}
