using Fumidai.Gateway.Audit;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fumidai.Web.Pages;

/// <summary>Sign-in (password and TOTP code in one form) and sign-out.</summary>
public static class SignInPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery) => Form(context, antiforgery, null, 200));
        app.MapPost("/signin", async (HttpContext context, IAntiforgery antiforgery, ConsoleServices console) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var result = await console.SignIn.SignInAsync(form["name"].FirstOrDefault(), form["password"].FirstOrDefault(), form["code"].FirstOrDefault(),
                context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
            if (result.User is null) return Form(context, antiforgery, result.Message, StatusCodes.Status401Unauthorized);
            // Checked after the password and code, so the form says nothing about who the break-glass user is to those who cannot sign in.
            if (!console.Options.Oidc.AllowsLocalSignIn(result.User.Name))
            {
                await OidcAuthentication.AuditFailureAsync(console, context, result.User.Name, "password sign-in is off (Oidc:LocalSignIn)").ConfigureAwait(false);
                return Form(context, antiforgery, LocalSignInOff, StatusCodes.Status403Forbidden);
            }
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ConsoleAuthentication.Principal(result.User, DateTimeOffset.UtcNow))
                .ConfigureAwait(false);
            return Results.Redirect(LocalPath(context.Request.Query["next"].FirstOrDefault()) ?? "/sessions");
        });
        app.MapGet("/signin/oidc", (HttpContext context, ConsoleServices console) => console.Oidc is null
            ? Html.Error(context, StatusCodes.Status404NotFound, "Sign-in through an identity provider is not configured.")
            : OidcAuthentication.Challenge(LocalPath(context.Request.Query["next"].FirstOrDefault()) ?? "/sessions", OidcCallback.ConsolePurpose));
        app.MapPost("/signout", async (HttpContext context, ConsoleServices console) =>
        {
            if (ConsoleUser.From(context.User) is { } user)
                await console.Audit.RecordAsync(AuditTypes.ConnectionEnd, AuditOutcome.Info, user.Name, context.Connection.RemoteIpAddress?.ToString(), null,
                    new Dictionary<string, string> { ["via"] = "web", ["reason"] = "signed out" }, CancellationToken.None).ConfigureAwait(false);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/signin");
        });
    }

    /// <summary>What the form says to a user other than the break-glass admin while password sign-in is off.</summary>
    public const string LocalSignInOff = "Password sign-in is turned off; sign in with the identity provider.";

    private static IResult Form(HttpContext context, IAntiforgery antiforgery, string? message, int status)
    {
        string next = LocalPath(context.Request.Query["next"].FirstOrDefault()) is { } path ? "?next=" + Uri.EscapeDataString(path) : "";
        var oidc = context.RequestServices.GetRequiredService<ConsoleServices>().Options.Oidc;
        string body = (message is null ? "" : $"<p class=\"error\" id=\"error\">{Html.E(message)}</p>")
            + (oidc.Enabled ? $"<p><a class=\"button\" id=\"signin-oidc\" href=\"/signin/oidc{Html.E(next)}\">Sign in with the identity provider</a></p>" : "")
            + (oidc.Enabled && !oidc.LocalSignIn ? "<p class=\"hint\">Password sign-in: break-glass admin only.</p>" : "")
            + $"<form method=\"post\" action=\"/signin{Html.E(next)}\" class=\"signin\">{Html.Antiforgery(context, antiforgery)}"
            + "<label>User <input name=\"name\" id=\"name\" autocomplete=\"username\" required maxlength=\"64\"></label>"
            + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"256\"></label>"
            + "<label>Verification code <input name=\"code\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required maxlength=\"6\"></label>"
            + "<button type=\"submit\" id=\"signin\">Sign in</button></form>"
            + "<p class=\"hint\">Admins and auditors only. Idle sign-ins end after the configured idle time.</p>";
        return Html.Page("Sign in", body, null, context, status);
    }

    /// <summary>A path on this console to return to after sign-in; null for anything that could lead elsewhere.</summary>
    public static string? LocalPath(string? path) =>
        path is { Length: > 1 and <= 512 } && path[0] == '/' && path[1] is not ('/' or '\\') && !path.Any(char.IsControl) ? path : null;
}
