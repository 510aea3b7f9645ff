using System.Globalization;
using System.Security.Claims;
using Fumidai.Gateway.Identity;
using Fumidai.Web.Hosting;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fumidai.Web.Auth;

/// <summary>
/// The sign-in cookie (<c>Secure; HttpOnly; SameSite=Strict</c>) and what it takes to stay signed in: a request at least every
/// <c>Web:IdleTimeout</c> (PCI DSS 8.2.8), at most <c>Web:MaxSignIn</c> in all, and a user who still exists, is enabled and
/// still holds a console role, checked on every request.
/// </summary>
public static class ConsoleAuthentication
{
    public const string CookieName = "__Host-fumidai";
    public const string AdminPolicy = "admin";
    public const string ConsolePolicy = "console";

    public static void Add(IServiceCollection services, ConsoleServices console)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.Path = "/";
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.ReturnUrlParameter = "next";
            // The cookie itself lives no longer than the sign-in may; idleness is judged from the claim below, renewed on each request.
            o.ExpireTimeSpan = console.MaxSignIn;
            o.SlidingExpiration = false;
            o.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = context => ValidateAsync(context, console),
                OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Html.Error(context.HttpContext, 403, "This page or action is for admins only; auditors read and watch.",
                        ConsoleUser.From(context.HttpContext.User)).ExecuteAsync(context.HttpContext);
                },
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicy, p => p.RequireAuthenticatedUser().RequireRole(BuiltInRoles.Admin, BuiltInRoles.Auditor))
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(BuiltInRoles.Admin));
    }

    /// <summary>The claims of a fresh sign-in.</summary>
    /// <remarks>
    /// The name is also the <see cref="ClaimTypes.NameIdentifier"/>: antiforgery tokens are bound to that claim when there is one,
    /// and to all claims otherwise, which would include the last-seen time that changes on every request.
    /// </remarks>
    public static ClaimsPrincipal Principal(ConsoleUser user, DateTimeOffset now) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Name),
        new Claim(ClaimTypes.Name, user.Name),
        new Claim(ClaimTypes.Role, user.Role),
        new Claim(ConsoleUser.SignedInClaim, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        new Claim(ConsoleUser.SeenClaim, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
    ], CookieAuthenticationDefaults.AuthenticationScheme));

    private static async Task ValidateAsync(CookieValidatePrincipalContext context, ConsoleServices console)
    {
        var now = DateTimeOffset.UtcNow;
        var principal = context.Principal!;
        var user = ConsoleUser.From(principal);
        long? signedIn = Millis(principal, ConsoleUser.SignedInClaim);
        long? seen = Millis(principal, ConsoleUser.SeenClaim);
        string? why = user is null || signedIn is null || seen is null ? "malformed sign-in"
            : now - DateTimeOffset.FromUnixTimeMilliseconds(signedIn.Value) > console.MaxSignIn ? "maximum sign-in time reached"
            : now - DateTimeOffset.FromUnixTimeMilliseconds(seen.Value) > console.IdleTimeout ? "idle"
            : null;
        if (why is null)
        {
            var record = await console.Store.GetUserAsync(user!.Name, context.HttpContext.RequestAborted).ConfigureAwait(false);
            if (record is null || record.Disabled || ConsoleUser.ConsoleRole(record) != user.Role) why = "user disabled, removed or roles changed";
        }
        if (why is not null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            await console.Audit.RecordAsync(Gateway.Audit.AuditTypes.ConnectionEnd, Gateway.Audit.AuditOutcome.Info, user?.Name,
                context.HttpContext.Connection.RemoteIpAddress?.ToString(), null,
                new Dictionary<string, string> { ["via"] = "web", ["reason"] = "signed out: " + why }, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        // Background requests of a page (the player fetching its recording) count as activity like any other.
        context.ReplacePrincipal(WithSeen(Principal(user!, DateTimeOffset.FromUnixTimeMilliseconds(signedIn!.Value)), now));
        context.ShouldRenew = true;
    }

    private static ClaimsPrincipal WithSeen(ClaimsPrincipal principal, DateTimeOffset now)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.RemoveClaim(identity.FindFirst(ConsoleUser.SeenClaim));
        identity.AddClaim(new Claim(ConsoleUser.SeenClaim, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        return principal;
    }

    private static long? Millis(ClaimsPrincipal principal, string type) =>
        long.TryParse(principal.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
}
