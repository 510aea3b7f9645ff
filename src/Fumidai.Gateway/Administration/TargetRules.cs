using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Administration;

/// <summary>The checks of a target's address and host keys, and the host key scan, one copy for the CLI and the console, with their messages.</summary>
public static class TargetRules
{
    public static string Host(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || Uri.CheckHostName(value) == UriHostNameType.Unknown)
            throw AdminRuleException.Invalid($"--host: '{value}' is not a host name or IP address");
        return value;
    }

    public static int Port(int port) =>
        port is < 1 or > 65535 ? throw AdminRuleException.Invalid($"--port: {port} is not a port number (1-65535)") : port;

    /// <summary>One <c>TYPE BASE64</c> host key to pin.</summary>
    public static SshPublicKey HostKey(string line)
    {
        var (key, _) = AdminRules.PublicKey("--host-key", line);
        if (key.KeyType.StartsWith("sk-", StringComparison.Ordinal))
            throw AdminRuleException.Invalid($"--host-key: {key.KeyType} is a user key type, not a host key");
        return key;
    }

    /// <summary>The target, or a not-found refusal naming it.</summary>
    public static async Task<TargetRecord> RequireTargetAsync(MetadataStore store, string name, CancellationToken cancellationToken) =>
        await store.GetTargetAsync(AdminRules.Name("target", name), cancellationToken).ConfigureAwait(false)
        ?? throw AdminRuleException.NotFound($"target '{name}' does not exist");

    /// <summary>The fingerprint of a pinned key as stored (an OpenSSH line), or <c>(unreadable)</c>.</summary>
    public static string Fingerprint(string line)
    {
        try
        {
            return SshPublicKey.ParseOpenSsh(line).Fingerprint;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException)
        {
            return "(unreadable)";
        }
    }

    public static string Fingerprints(IEnumerable<string> lines) => string.Join(',', lines.Select(Fingerprint));

    /// <summary>Fetches the host keys a server offers (nothing is trusted: an admin compares and confirms before they are pinned).</summary>
    public static async Task<IReadOnlyList<SshPublicKey>> ScanAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<SshPublicKey> keys;
        try
        {
            keys = await SshClient.ScanHostKeysAsync(host, port, timeout: timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectException ex) when (ex.NotSshReason is { } why)
        {
            throw AdminRuleException.Unavailable($"{host}:{port} is not an SSH server: {why}");
        }
        catch (SshConnectException ex)
        {
            throw AdminRuleException.Unavailable($"could not fetch the host key: {ex.Message}");
        }
        if (keys.Count == 0) throw AdminRuleException.Unavailable($"{host}:{port} offered no host key of a supported type");
        return keys;
    }
}
