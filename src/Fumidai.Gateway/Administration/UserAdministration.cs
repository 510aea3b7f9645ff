using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Administration;

/// <summary>
/// Changes to users made by an admin, one copy for the CLI and the console: the rules, the store changes, the revocations that
/// end connections the change takes away, and the audit naming the admin.
/// </summary>
public sealed class UserAdministration(MetadataStore store, IAuditLog audit, AdminActor actor)
{
    /// <summary>Adds a person (not a machine account) with a new TOTP secret, her roles (default <c>user</c>) and keys.</summary>
    public async Task<NewTotp> AddAsync(string name, IEnumerable<string> roles, IReadOnlyList<(SshPublicKey Key, string Comment)> keys, string? passwordHash,
        SecretProtector protector, CancellationToken cancellationToken)
    {
        AdminRules.Name("user", name);
        var requested = roles.ToList();
        var granted = await AdminRules.RolesAsync(store, requested.Count > 0 ? requested : [BuiltInRoles.User], cancellationToken).ConfigureAwait(false);
        if (granted.Count == 0) granted = [BuiltInRoles.User];
        var totp = NewTotp.Create(name, protector);
        if (!await store.AddUserAsync(new UserRecord(name, granted, false, totp.EncryptedSecret, passwordHash, DateTimeOffset.UtcNow), cancellationToken)
                .ConfigureAwait(false))
            throw AdminRuleException.Conflict($"user '{name}' already exists");
        foreach (var (key, comment) in keys)
            await store.AddUserKeyAsync(new UserKeyRecord(name, key.Fingerprint, key.ToString(), comment), cancellationToken).ConfigureAwait(false);
        await ChangeAsync("user.add", name, new Dictionary<string, string>
        {
            ["roles"] = string.Join(',', granted),
            ["keys"] = string.Join(',', keys.Select(k => k.Key.Fingerprint).Distinct()),
            ["password"] = passwordHash is null ? "none" : "set",
        }, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.MfaEnrolled, "user.add", name, null, null, cancellationToken).ConfigureAwait(false);
        return totp;
    }

    /// <summary>Replaces her roles; sessions the new roles do not allow end.</summary>
    public async Task<IReadOnlyList<string>> SetRolesAsync(UserRecord user, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        var granted = await AdminRules.RolesAsync(store, roles, cancellationToken).ConfigureAwait(false);
        if (granted.Count == 0) throw AdminRuleException.Invalid("roles: at least one role is required");
        await store.SetUserRolesAsync(user.Name, granted, cancellationToken).ConfigureAwait(false);
        await store.AddRevocationAsync(RevocationScopes.Policy, user.Name, null, "roles changed", actor.Name, cancellationToken).ConfigureAwait(false);
        await ChangeAsync("user.set", user.Name, new Dictionary<string, string>
        {
            ["roles"] = string.Join(',', granted),
            ["previous_roles"] = string.Join(',', user.Roles),
        }, cancellationToken).ConfigureAwait(false);
        return granted;
    }

    /// <summary>Adds keys; refused when she has them all already. Returns the fingerprints added.</summary>
    public async Task<IReadOnlyList<string>> AddKeysAsync(UserRecord user, IReadOnlyList<(SshPublicKey Key, string Comment)> keys, CancellationToken cancellationToken)
    {
        var added = new List<string>();
        foreach (var (key, comment) in keys)
        {
            if (await store.AddUserKeyAsync(new UserKeyRecord(user.Name, key.Fingerprint, key.ToString(), comment), cancellationToken).ConfigureAwait(false))
                added.Add(key.Fingerprint);
        }
        if (added.Count == 0) throw AdminRuleException.Conflict($"{user.Name} already has {(keys.Count == 1 ? "this key" : "these keys")}");
        await ChangeAsync("user.key.add", user.Name, new Dictionary<string, string> { ["keys"] = string.Join(',', added) }, cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>Removes keys by fingerprint; refused when she has none of them. Returns the fingerprints removed.</summary>
    public async Task<IReadOnlyList<string>> RemoveKeysAsync(UserRecord user, IReadOnlyList<string> fingerprints, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var fingerprint in fingerprints)
        {
            if (await store.RemoveUserKeyAsync(user.Name, fingerprint, cancellationToken).ConfigureAwait(false)) removed.Add(fingerprint);
        }
        if (removed.Count == 0) throw AdminRuleException.NotFound($"{user.Name} has no such key ({string.Join(", ", fingerprints)})");
        await ChangeAsync("user.key.remove", user.Name, new Dictionary<string, string> { ["keys"] = string.Join(',', removed) }, cancellationToken)
            .ConfigureAwait(false);
        return removed;
    }

    /// <summary>Clears her failed-login count and lockout; returns whether she was locked.</summary>
    public async Task<bool> UnlockAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var lockedUntil = await store.GetLockedUntilAsync(user.Name, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        await store.ClearFailuresAsync(user.Name, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.Unlock, "user.unlock", user.Name, null, new Dictionary<string, string>
        {
            ["was_locked"] = lockedUntil is null ? "false" : "true",
        }, cancellationToken).ConfigureAwait(false);
        return lockedUntil is not null;
    }

    /// <summary>
    /// Gives her a new TOTP secret: codes of the old one stop working, her connections end (the old factor may be in other hands)
    /// and her login certificates are void.
    /// </summary>
    public async Task<NewTotp> ResetMfaAsync(UserRecord user, SecretProtector protector, CancellationToken cancellationToken)
    {
        var totp = NewTotp.Create(user.Name, protector);
        await store.SetTotpSecretAsync(user.Name, totp.EncryptedSecret, cancellationToken).ConfigureAwait(false);
        await store.AddRevocationAsync(RevocationScopes.User, user.Name, null, "MFA reset", actor.Name, cancellationToken).ConfigureAwait(false);
        await store.RevokeLoginCertificatesAsync(user.Name, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.MfaReset, "user.reset-mfa", user.Name, null, null, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.MfaEnrolled, "user.reset-mfa", user.Name, null, null, cancellationToken).ConfigureAwait(false);
        return totp;
    }

    public Task DisableAsync(UserRecord user, string? reason, CancellationToken cancellationToken) =>
        UserAccess.DisableAsync(store, audit, user, reason, actor, cancellationToken);

    public Task EnableAsync(UserRecord user, CancellationToken cancellationToken) => UserAccess.EnableAsync(store, audit, user, actor, cancellationToken);

    private Task ChangeAsync(string action, string user, Dictionary<string, string> details, CancellationToken cancellationToken) =>
        actor.RecordAsync(audit, AuditTypes.AdminChange, action, user, null, details, cancellationToken);
}
