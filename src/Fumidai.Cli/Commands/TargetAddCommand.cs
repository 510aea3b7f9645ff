using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Keys;
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
        var name = TargetCommands.NameArgument();
        var host = new Option<string>("--host") { Description = "Host name or IP address", HelpName = "HOST", Required = true };
        var port = new Option<int>("--port") { Description = "SSH port", HelpName = "PORT", DefaultValueFactory = _ => 22 };
        var logins = new Option<string[]>("--login") { Description = "Login (account) on the target; repeat or separate with commas", HelpName = "LOGIN" };
        var hostKeys = new Option<string[]>("--host-key") { Description = "Pinned host key \"TYPE BASE64\"; repeat for several", HelpName = "KEY" };
        var scan = new Option<bool>("--scan") { Description = "Fetch the host keys now and pin them after you confirm their fingerprints" };
        var yes = new Option<bool>("--yes") { Description = "With --scan: pin without asking" };
        var key = new Option<string?>("--key")
        {
            Description = "Private key the bastion logs in with, stored encrypted (default: short-lived certificates from the user CA)",
            HelpName = "FILE",
        };
        var command = new Command("add", "Add a target with its pinned host key") { name, host, port, logins, hostKeys, scan, yes, key };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string target = InputValidation.Name("target", result.GetValue(name));
            string address = Host(result.GetValue(host));
            int portNumber = result.GetValue(port);
            if (portNumber is < 1 or > 65535) throw CliException.Usage($"--port: {portNumber} is not a port number (1-65535)");
            var loginNames = (result.GetValue(logins) ?? []).SelectMany(InputValidation.SplitList).Select(l => InputValidation.Name("login", l))
                .Distinct().ToArray();
            var givenKeys = (result.GetValue(hostKeys) ?? []).Select(k => HostKey(k)).ToList();
            bool scanning = result.GetValue(scan);
            if (scanning && givenKeys.Count > 0) throw CliException.Usage("give either --host-key or --scan, not both");
            if (result.GetValue(yes) && !scanning) throw CliException.Usage("--yes only applies to --scan");
            if (!scanning && givenKeys.Count == 0)
                throw CliException.Usage($"a target needs a pinned host key: give --host-key \"TYPE BASE64\" or --scan");
            string? keyFile = result.GetValue(key);
            if (keyFile is not null) InputValidation.InputFile("--key", keyFile);

            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (await store.GetTargetAsync(target, context.CancellationToken).ConfigureAwait(false) is not null)
                throw CliException.Conflict($"target '{target}' already exists");
            byte[]? encryptedKey = null;
            SshPublicKey? credentialKey = null;
            if (keyFile is not null)
                (encryptedKey, credentialKey) = TargetKeyFile.LoadAndProtect(keyFile, target, context.Data.LoadProtector());

            var pinned = scanning
                ? await ScanAndConfirmAsync(context, target, address, portNumber, result.GetValue(yes)).ConfigureAwait(false)
                : givenKeys;
            var record = new TargetRecord(target, address, portNumber, loginNames, pinned.Select(k => k.ToString()).ToArray(), encryptedKey,
                DateTimeOffset.UtcNow);
            if (!await store.AddTargetAsync(record, context.CancellationToken).ConfigureAwait(false))
                throw CliException.Conflict($"target '{target}' already exists");
            var details = new Dictionary<string, string>
            {
                ["host"] = $"{address}:{portNumber}",
                ["logins"] = string.Join(',', loginNames),
                ["host_keys"] = string.Join(',', pinned.Select(k => k.Fingerprint)),
                ["host_keys_from"] = scanning ? "scan" : "command line",
                ["credential"] = record.CredentialKind,
            };
            if (credentialKey is not null) details["credential_key"] = credentialKey.Fingerprint;
            await context.RecordChangeAsync("target.add", target: target, details: details).ConfigureAwait(false);

            context.Out.WriteLine($"added target {target} ({address}:{portNumber}), credential {record.CredentialKind}"
                + (credentialKey is null ? "" : $" {credentialKey.Fingerprint}"));
            if (loginNames.Length == 0)
                context.Error.WriteLine($"fumidai: warning: {target} has no --login; nobody can log in to it until it is added again with one");
        }, ct));
        return command;
    }

    private static string Host(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || Uri.CheckHostName(value) == UriHostNameType.Unknown)
            throw CliException.Usage($"--host: '{value}' is not a host name or IP address");
        return value;
    }

    private static SshPublicKey HostKey(string line)
    {
        var (key, _) = PublicKeyFile.Parse("--host-key", line);
        if (key.KeyType.StartsWith("sk-", StringComparison.Ordinal))
            throw CliException.Usage($"--host-key: {key.KeyType} is a user key type, not a host key");
        return key;
    }

    private static async Task<IReadOnlyList<SshPublicKey>> ScanAndConfirmAsync(CliContext context, string target, string host, int port, bool yes)
    {
        var keys = await context.Runtime.HostKeyScanner.ScanAsync(host, port, context.CancellationToken).ConfigureAwait(false);
        context.Out.WriteLine($"Host keys of {host}:{port}:");
        foreach (var key in keys) context.Out.WriteLine($"  {key.KeyType} {key.Fingerprint}");
        if (yes) return keys;
        context.Error.Write($"Pin these host keys for {target}? Compare the fingerprints with the server's (ssh-keygen -lf). [y/N] ");
        string answer = (context.In.ReadLine() ?? "").Trim();
        if (!answer.Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
            throw CliException.Failure($"host keys not confirmed; target {target} was not added");
        return keys;
    }
}
