using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Administration;

/// <summary>Adding a target and changing one (re-pinning its host keys among others), one copy for the CLI and the console, audited naming the admin.</summary>
public sealed class TargetAdministration(MetadataStore store, IAuditLog audit, AdminActor actor)
{
    /// <summary>Adds a target with its pinned host keys; <paramref name="hostKeysFrom"/> says where they came from (<c>scan</c> or as given).</summary>
    public async Task<TargetRecord> AddAsync(string name, string host, int port, IReadOnlyList<string> logins, IReadOnlyList<SshPublicKey> pinned,
        string hostKeysFrom, (byte[] Encrypted, SshPublicKey Key)? credential, CancellationToken cancellationToken)
    {
        AdminRules.Name("target", name);
        foreach (var login in logins) AdminRules.Name("login", login);
        if (pinned.Count == 0) throw AdminRuleException.Invalid("a target needs a pinned host key: give --host-key \"TYPE BASE64\" or --scan");
        var record = new TargetRecord(name, TargetRules.Host(host), TargetRules.Port(port), logins, pinned.Select(k => k.ToString()).ToArray(),
            credential?.Encrypted, DateTimeOffset.UtcNow);
        if (!await store.AddTargetAsync(record, cancellationToken).ConfigureAwait(false))
            throw AdminRuleException.Conflict($"target '{name}' already exists");
        var details = new Dictionary<string, string>
        {
            ["host"] = $"{record.Host}:{record.Port}",
            ["logins"] = string.Join(',', logins),
            ["host_keys"] = string.Join(',', pinned.Select(k => k.Fingerprint)),
            ["host_keys_from"] = hostKeysFrom,
            ["credential"] = record.CredentialKind,
        };
        if (credential is { } c) details["credential_key"] = c.Key.Fingerprint;
        await actor.RecordAsync(audit, AuditTypes.AdminChange, "target.add", null, name, details, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Stores <paramref name="updated"/> in place of <paramref name="current"/>; open sessions are checked again (fewer logins or new
    /// keys may take access away). Audited <c>target.set</c> with what changed, old and new host keys when re-pinned.
    /// </summary>
    public async Task UpdateAsync(TargetRecord current, TargetRecord updated, string? hostKeysFrom, IReadOnlyDictionary<string, string>? extra,
        CancellationToken cancellationToken)
    {
        if (!await store.UpdateTargetAsync(updated, cancellationToken).ConfigureAwait(false))
            throw AdminRuleException.NotFound($"target '{current.Name}' does not exist");
        await store.AddRevocationAsync(RevocationScopes.Policy, null, null, $"target {current.Name} changed", actor.Name, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["host"] = $"{updated.Host}:{updated.Port}",
            ["logins"] = string.Join(',', updated.Logins),
            ["host_keys"] = TargetRules.Fingerprints(updated.HostKeys),
            ["credential"] = updated.CredentialKind,
        };
        if (updated.Host != current.Host || updated.Port != current.Port) details["previous_host"] = $"{current.Host}:{current.Port}";
        if (!updated.Logins.SequenceEqual(current.Logins)) details["previous_logins"] = string.Join(',', current.Logins);
        if (hostKeysFrom is not null)
        {
            details["previous_host_keys"] = TargetRules.Fingerprints(current.HostKeys);
            details["host_keys_from"] = hostKeysFrom;
        }
        await actor.RecordAsync(audit, AuditTypes.AdminChange, "target.set", null, current.Name, details, cancellationToken).ConfigureAwait(false);
    }
}
