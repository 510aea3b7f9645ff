namespace Fumidai.Gateway.Configuration;

/// <summary>
/// Sign-in through the organisation's OpenID Connect provider: for the console, and to approve SSH logins of roles with
/// <c>--auth sso</c>. Off while <see cref="Authority"/> is empty.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The issuer (https URL); its <c>/.well-known/openid-configuration</c> names the endpoints.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret in the configuration; prefer <see cref="ClientSecretFile"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A file holding only the client secret (readable by the bastion alone).</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>Scopes asked for, separated by spaces or commas; must include <c>openid</c>.</summary>
    public string Scopes { get; set; } = "openid profile email";

    /// <summary>The claim that names the bastion user.</summary>
    public string UsernameClaim { get; set; } = "preferred_username";

    /// <summary>
    /// A mail domain cut from the username claim (<c>alice@example.com</c> becomes <c>alice</c>) for IdPs whose names are
    /// addresses; a name in any other domain keeps its <c>@</c> and is refused as not a bastion user name.
    /// </summary>
    public string? UsernameDomain { get; set; }

    /// <summary>The claim listing the user's groups (or roles) at the IdP.</summary>
    public string RolesClaim { get; set; } = "groups";

    /// <summary>IdP group to Fumidai role: <c>Oidc:RoleMap:GROUP = ROLE</c>. A group not listed gives nothing.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether a user the bastion does not know yet is created on her first sign-in (else she is refused).</summary>
    public bool AutoCreate { get; set; }

    /// <summary>A PEM file of CA certificates to trust for the IdP's TLS instead of the system's.</summary>
    public string? CaFile { get; set; }

    /// <summary>Whether the console's own password and TOTP form stays open to everyone.</summary>
    public bool LocalSignIn { get; set; } = true;

    /// <summary>The one user who may still sign in with password and TOTP while <see cref="LocalSignIn"/> is false.</summary>
    public string? BreakGlassUser { get; set; }

    /// <summary>How long an SSH login's approval code may wait for its holder in the browser (at most 10m).</summary>
    public string ApprovalLifetime { get; set; } = "2m";

    /// <summary>
    /// How often <c>fumidai serve</c> asks the IdP about every user whose refresh token it keeps (as <c>fumidai user sync</c>
    /// does), ending a leaver's live sessions; <c>off</c> (or <c>0</c>) leaves it to the command.
    /// </summary>
    public string SyncInterval { get; set; } = "15m";

    /// <summary>The periodic check's interval, or null when it is off.</summary>
    public TimeSpan? SyncEvery => SyncInterval.Trim() is "off" or "0" ? null : Duration.Parse(SyncInterval);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The scopes as a list.</summary>
    public IReadOnlyList<string> ScopeList => Scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The roles her IdP groups give, in the order of the map; empty when none maps.</summary>
    public IReadOnlyList<string> MapRoles(IEnumerable<string> groups)
    {
        var set = groups.ToHashSet(StringComparer.Ordinal);
        return RoleMap.Where(m => set.Contains(m.Key)).Select(m => m.Value.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderBy(r => r, StringComparer.Ordinal).ToList();
    }

    /// <summary>The bastion user name a username claim stands for (see <see cref="UsernameDomain"/>).</summary>
    public string UserNameFrom(string claim)
    {
        string name = claim.Trim();
        string suffix = "@" + UsernameDomain?.Trim().TrimStart('@');
        return UsernameDomain is { Length: > 0 } && name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            ? name[..^suffix.Length]
            : name;
    }

    /// <summary>Whether the password and TOTP form may sign this user in.</summary>
    public bool AllowsLocalSignIn(string user) => LocalSignIn || string.Equals(user, BreakGlassUser, StringComparison.Ordinal);

    /// <summary>The client secret, from the configuration or its file.</summary>
    public string ReadClientSecret() => ClientSecret ?? File.ReadAllText(ClientSecretFile!).Trim();

    /// <summary>The problems of these settings, each starting with its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            if (!LocalSignIn) yield return "Oidc:LocalSignIn = false needs Oidc:Authority: nobody but the break-glass user could sign in";
            yield break;
        }
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps || authority.Query.Length > 0)
            yield return $"Oidc:Authority = '{Authority}' must be an https URL (the IdP's issuer)";
        if (string.IsNullOrWhiteSpace(ClientId)) yield return "Oidc:ClientId is required with Oidc:Authority";
        if (ClientSecret is not null && ClientSecretFile is not null)
            yield return "Oidc:ClientSecret and Oidc:ClientSecretFile exclude each other; give one";
        else if (string.IsNullOrEmpty(ClientSecret) && ClientSecretFile is null)
            yield return "Oidc:ClientSecret or Oidc:ClientSecretFile is required with Oidc:Authority";
        else if (ClientSecretFile is not null && !File.Exists(ClientSecretFile))
            yield return $"Oidc:ClientSecretFile = '{ClientSecretFile}' does not exist";
        if (!ScopeList.Contains("openid", StringComparer.Ordinal)) yield return $"Oidc:Scopes = '{Scopes}' must include openid";
        if (string.IsNullOrWhiteSpace(UsernameClaim)) yield return "Oidc:UsernameClaim must name a claim";
        if (string.IsNullOrWhiteSpace(RolesClaim)) yield return "Oidc:RolesClaim must name a claim";
        if (RoleMap.Count == 0) yield return "Oidc:RoleMap must map at least one IdP group to a role (Oidc:RoleMap:GROUP = ROLE)";
        foreach (var (group, role) in RoleMap.Where(m => string.IsNullOrWhiteSpace(m.Value)))
            yield return $"Oidc:RoleMap:{group} names no role";
        if (!Duration.TryParse(ApprovalLifetime, out var approval) || approval <= TimeSpan.Zero || approval > TimeSpan.FromMinutes(10))
            yield return $"Oidc:ApprovalLifetime = '{ApprovalLifetime}' must be a duration of at most 10m";
        if (SyncInterval.Trim() is not ("off" or "0") && (!Duration.TryParse(SyncInterval, out var sync) || sync < TimeSpan.FromSeconds(1)))
            yield return $"Oidc:SyncInterval = '{SyncInterval}' must be a duration of at least 1s, or off";
        if (CaFile is not null && !File.Exists(CaFile)) yield return $"Oidc:CaFile = '{CaFile}' does not exist";
        if (!LocalSignIn && BreakGlassUser is { Length: 0 }) yield return "Oidc:BreakGlassUser is empty; leave it out or name a user";
    }
}
