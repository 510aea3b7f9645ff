using System.Security.Claims;
using Fumidai.Gateway.Identity;

namespace Fumidai.Web.Auth;

/// <summary>The signed-in auditor or admin, as the cookie's claims name her.</summary>
public sealed record ConsoleUser(string Name, string Role)
{
    public const string SignedInClaim = "fumidai:signed-in";
    public const string SeenClaim = "fumidai:seen";

    public bool IsAdmin => Role == BuiltInRoles.Admin;

    /// <summary>The console role a bastion user has: admin before auditor; null when she has neither and may not sign in.</summary>
    public static string? ConsoleRole(UserRecord user) =>
        user.HasRole(BuiltInRoles.Admin) ? BuiltInRoles.Admin : user.HasRole(BuiltInRoles.Auditor) ? BuiltInRoles.Auditor : null;

    public static ConsoleUser? From(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && principal.FindFirstValue(ClaimTypes.Name) is { } name
            && principal.FindFirstValue(ClaimTypes.Role) is { } role
            ? new ConsoleUser(name, role)
            : null;
}
