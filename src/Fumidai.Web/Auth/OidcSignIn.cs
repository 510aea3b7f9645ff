using System.Net;
using System.Security.Claims;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Identity.Idp;
using Fumidai.Gateway.Storage;

namespace Fumidai.Web.Auth;

/// <summary>
/// Turns a person the IdP vouched for into a bastion user: her name from the username claim, her roles from her groups through
/// the role map. The IdP is the source of her roles: they are rewritten when her groups changed, and a user whose groups no
/// longer map to any role is disabled (her connections end), as a leaver should be.
/// </summary>
public sealed class OidcSignIn(MetadataStore store, IAuditLog audit, OidcOptions options, SecretProtector protector)
{
    public const string UnknownUser = "This bastion does not know you yet; ask an admin to add your user.";
    public const string NoMappedRole = "Your groups at the identity provider give you no role on this bastion.";
    public const string Disabled = "Your user is disabled on this bastion.";
    public const string BadClaims = "The identity provider did not name your user.";
    public const string BreakGlass = "The break-glass user signs in with her password and code only.";

    /// <summary>The bastion user the IdP's claims stand for, with her current roles, or the message to show.</summary>
    public async Task<(UserRecord? User, string? Message)> ResolveAsync(ClaimsPrincipal idp, IPAddress? remote, string purpose,
        CancellationToken cancellationToken)
    {
        string address = remote?.ToString() ?? "unknown";
        string? name = idp.FindFirst(options.UsernameClaim)?.Value is { } claim ? options.UserNameFrom(claim) : null;
        var actor = new AdminActor("oidc", address, "web");
        if (name is null || name.Length is 0 or > 64 || !Gateway.Bastion.LoginName.IsValidName(name))
        {
            await FailAsync(null, address, purpose, $"claim {options.UsernameClaim} missing or not a valid user name", cancellationToken).ConfigureAwait(false);
            return (null, BadClaims);
        }
        // The way in when the IdP is down or wrong is never changed by what the IdP says: not her roles, not her state.
        if (string.Equals(name, options.BreakGlassUser, StringComparison.Ordinal))
        {
            await FailAsync(name, address, purpose, "the break-glass user may not sign in through the IdP", cancellationToken).ConfigureAwait(false);
            return (null, BreakGlass);
        }
        var groups = idp.FindAll(options.RolesClaim).Select(c => c.Value).Take(1000).ToList();
        var roles = options.MapRoles(groups);
        var user = await store.GetUserAsync(name, cancellationToken).ConfigureAwait(false);
        if (roles.Count == 0)
        {
            if (user is { Disabled: false })
                await UserAccess.DisableAsync(store, audit, user, LeaverSync.NoRoleReason, actor, cancellationToken).ConfigureAwait(false);
            await FailAsync(name, address, purpose, "no IdP group maps to a role", cancellationToken).ConfigureAwait(false);
            return (null, NoMappedRole);
        }
        if (user is null)
        {
            if (!options.AutoCreate)
            {
                await FailAsync(name, address, purpose, "unknown user (Oidc:AutoCreate is false)", cancellationToken).ConfigureAwait(false);
                return (null, UnknownUser);
            }
            try
            {
                await new UserAdministration(store, audit, actor).AddAsync(name, roles, [], null, protector, cancellationToken).ConfigureAwait(false);
            }
            catch (AdminRuleException ex)
            {
                await FailAsync(name, address, purpose, "cannot create: " + ex.Message, cancellationToken).ConfigureAwait(false);
                return (null, "Your user cannot be created: " + ex.Message);
            }
            return (await store.GetUserAsync(name, cancellationToken).ConfigureAwait(false), null);
        }
        if (user.Disabled)
        {
            await FailAsync(name, address, purpose, "user disabled", cancellationToken).ConfigureAwait(false);
            return (null, Disabled);
        }
        if (!roles.ToHashSet(StringComparer.Ordinal).SetEquals(user.Roles))
        {
            try
            {
                await new UserAdministration(store, audit, actor).SetRolesAsync(user, roles, cancellationToken).ConfigureAwait(false);
            }
            catch (AdminRuleException ex)
            {
                await FailAsync(name, address, purpose, "cannot set roles: " + ex.Message, cancellationToken).ConfigureAwait(false);
                return (null, "Your roles cannot be set: " + ex.Message);
            }
            user = user with { Roles = roles };
        }
        return (user, null);
    }

    /// <summary>
    /// Keeps her refresh token, sealed, so <c>fumidai user sync</c> can ask the IdP about her while she is away; a token
    /// without the subject it was issued for is useless for that and is not kept.
    /// </summary>
    public async Task KeepRefreshTokenAsync(string user, ClaimsPrincipal idp, string refreshToken, CancellationToken cancellationToken)
    {
        if (idp.FindFirst("sub")?.Value is not { Length: > 0 } subject) return;
        await IdpTokens.KeepAsync(store, protector, user, subject, refreshToken, cancellationToken).ConfigureAwait(false);
    }

    private Task<AuditEvent> FailAsync(string? user, string address, string purpose, string reason, CancellationToken cancellationToken) =>
        audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, user, address, null,
            new Dictionary<string, string> { ["method"] = "oidc", ["via"] = "web", ["purpose"] = purpose, ["reason"] = reason }, cancellationToken);
}
