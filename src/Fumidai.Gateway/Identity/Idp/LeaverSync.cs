using System.Security.Cryptography;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Identity.Idp;

/// <summary>The outcome for one user: <see cref="Status"/> is unchanged, roles-changed, disabled or error.</summary>
public sealed record LeaverSyncResult(string User, string Status, IReadOnlyList<string> Roles, string? Reason);

/// <summary>
/// Asks the IdP about every user whose refresh token the bastion keeps, as at her sign-in: a user it refuses (gone,
/// disabled, sign-in revoked) or whose groups map to no role is disabled, which ends her connections on every node;
/// changed groups rewrite her roles. The IdP failing to answer changes nobody.
/// </summary>
public sealed class LeaverSync(MetadataStore store, IAuditLog audit, OidcOptions options, SecretProtector protector, IdpClient idp, AdminActor actor)
{
    public const string Unchanged = "unchanged";
    public const string RolesChanged = "roles-changed";
    public const string Disabled = "disabled";
    public const string Error = "error";

    /// <summary>The revocation reason, audited and shown to her client, when the IdP no longer knows her.</summary>
    public const string LeftReason = "left the identity provider";

    /// <summary>The revocation reason when her IdP groups no longer map to any role.</summary>
    public const string NoRoleReason = "no role at the identity provider";

    /// <summary>Whether a revocation's reason is one of the IdP's, which her client is told (an admin's own reason is not shown to her).</summary>
    public static bool IsIdpReason(string reason) => reason is LeftReason or NoRoleReason;

    /// <summary>Reports what would change and changes nothing (a rotated refresh token is still kept, or the next sync could not ask).</summary>
    public bool DryRun { get; init; }

    /// <summary>Checks each user holding a token (or only <paramref name="only"/>), in name order.</summary>
    public async Task<IReadOnlyList<LeaverSyncResult>> RunAsync(IReadOnlyCollection<string>? only, CancellationToken cancellationToken)
    {
        var results = new List<LeaverSyncResult>();
        foreach (var token in await store.ListIdpTokensAsync(cancellationToken).ConfigureAwait(false))
        {
            if (only is not null && !only.Contains(token.UserName)) continue;
            if (await store.GetUserAsync(token.UserName, cancellationToken).ConfigureAwait(false) is not { } user) continue;
            results.Add(await CheckAsync(user, token, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<LeaverSyncResult> CheckAsync(UserRecord user, IdpTokenRecord token, CancellationToken cancellationToken)
    {
        if (user.Disabled) return new(user.Name, Unchanged, user.Roles, "disabled already; not asked");
        if (string.Equals(user.Name, options.BreakGlassUser, StringComparison.Ordinal))
            return new(user.Name, Unchanged, user.Roles, "the break-glass user is not changed by the IdP");
        string refresh;
        try
        {
            refresh = IdpTokens.Open(protector, token);
        }
        catch (CryptographicException)
        {
            return await FailedAsync(user, "her stored refresh token does not open with this master key", cancellationToken).ConfigureAwait(false);
        }
        IdpAnswer answer;
        try
        {
            answer = await idp.AskAsync(refresh, token.Subject, cancellationToken).ConfigureAwait(false);
        }
        catch (IdpUnavailableException ex)
        {
            return await FailedAsync(user, ex.Message, cancellationToken).ConfigureAwait(false);
        }
        if (answer is IdpAnswer.Gone gone)
        {
            // A sign-in (or another sync) may have replaced the token after it was read; only the newest token's refusal counts.
            var current = await store.GetIdpTokenAsync(user.Name, cancellationToken).ConfigureAwait(false);
            if (current is null || !current.SealedToken.AsSpan().SequenceEqual(token.SealedToken))
                return new(user.Name, Unchanged, user.Roles, "her token was replaced while it was checked; checked again next time");
            return await LeaveAsync(user, LeftReason, gone.Reason, cancellationToken).ConfigureAwait(false);
        }
        var known = (IdpAnswer.Known)answer;
        if (known.NextRefreshToken is { } next)
            await store.ReplaceIdpTokenAsync(user.Name, token.SealedToken, IdpTokens.Seal(protector, user.Name, next), DateTimeOffset.UtcNow, cancellationToken)
                .ConfigureAwait(false);
        if (known.UserName is { } claim && !string.Equals(options.UserNameFrom(claim), user.Name, StringComparison.Ordinal))
            return await FailedAsync(user, $"the IdP names her subject '{Short(claim)}' now", cancellationToken).ConfigureAwait(false);
        if (known.Groups is null)
            return await FailedAsync(user, $"the IdP's answer has no {options.RolesClaim} claim", cancellationToken).ConfigureAwait(false);
        var roles = options.MapRoles(known.Groups);
        if (roles.Count == 0) return await LeaveAsync(user, NoRoleReason, "no IdP group maps to a role", cancellationToken).ConfigureAwait(false);
        if (roles.ToHashSet(StringComparer.Ordinal).SetEquals(user.Roles))
        {
            if (!DryRun) await RecordAsync(user.Name, "user-synced", null, roles, cancellationToken).ConfigureAwait(false);
            return new(user.Name, Unchanged, user.Roles, null);
        }
        if (DryRun) return new(user.Name, RolesChanged, roles, null);
        try
        {
            roles = await new UserAdministration(store, audit, actor).SetRolesAsync(user, roles, cancellationToken).ConfigureAwait(false);
        }
        catch (AdminRuleException ex)
        {
            return await FailedAsync(user, "cannot set her roles: " + ex.Message, cancellationToken).ConfigureAwait(false);
        }
        await RecordAsync(user.Name, "roles-changed", null, roles, cancellationToken).ConfigureAwait(false);
        return new(user.Name, RolesChanged, roles, null);
    }

    private async Task<LeaverSyncResult> LeaveAsync(UserRecord user, string revocation, string why, CancellationToken cancellationToken)
    {
        if (DryRun) return new(user.Name, Disabled, [], why);
        await UserAccess.DisableAsync(store, audit, user, revocation, actor, cancellationToken).ConfigureAwait(false);
        await store.DeleteIdpTokenAsync(user.Name, cancellationToken).ConfigureAwait(false);
        await RecordAsync(user.Name, "user-left", why, [], cancellationToken).ConfigureAwait(false);
        return new(user.Name, Disabled, [], why);
    }

    private async Task<LeaverSyncResult> FailedAsync(UserRecord user, string why, CancellationToken cancellationToken)
    {
        if (!DryRun) await RecordAsync(user.Name, "sync-failed", why, user.Roles, cancellationToken).ConfigureAwait(false);
        return new(user.Name, Error, user.Roles, why);
    }

    private Task<AuditEvent> RecordAsync(string user, string result, string? reason, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["result"] = result, ["roles"] = string.Join(',', roles), ["actor"] = actor.Name };
        if (reason is not null) details["reason"] = reason;
        return audit.RecordAsync(AuditTypes.IdpSync, result == "sync-failed" ? AuditOutcome.Failure : AuditOutcome.Success, user, actor.Source, null, details,
            cancellationToken);
    }

    private static string Short(string text) => text.Length > 64 ? text[..64] : text;
}
