using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fumidai.Web.Auth;

/// <summary>
/// A sign-in through the IdP that is good for approving one's own SSH logins and for nothing else: its own short-lived
/// cookie, which no console page reads, so an operator without a console role can approve and sees nothing more.
/// </summary>
public static class ApprovalAuthentication
{
    public const string Scheme = "fumidai-approve";
    public const string CookieName = "__Host-fumidai-approve";

    /// <summary>The purpose of an IdP sign-in for approvals, carried through the IdP in the protected state.</summary>
    public const string Purpose = "approve";

    /// <summary>How long one IdP sign-in lets her approve: long enough for a login or two, short enough to be fresh.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static void Add(IServiceCollection services) => services.AddAuthentication().AddCookie(Scheme, o =>
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.Path = "/";
        o.ExpireTimeSpan = Lifetime;
        o.SlidingExpiration = false;
        o.LoginPath = "/approve";
    });

    public static ClaimsPrincipal Principal(string user) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user), new Claim(ClaimTypes.Name, user)], Scheme));

    /// <summary>The user signed in for approvals on this request, or null.</summary>
    public static async Task<string?> UserAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme).ConfigureAwait(false);
        return result.Succeeded ? result.Principal?.FindFirstValue(ClaimTypes.Name) : null;
    }
}
