using Fumidai.Gateway.Audit;
using Fumidai.Web.Hosting;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Auth;

/// <summary>What happens when the IdP sends the person back: her bastion user and console role decided, or a clear refusal page.</summary>
public static class OidcCallback
{
    public const string Failed = "Sign-in through the identity provider failed; start again from the sign-in page.";

    /// <summary>The purpose of a console sign-in, carried through the IdP in the protected state and named in refusals' audit.</summary>
    public const string ConsolePurpose = "console";

    public static async Task TicketReceivedAsync(TicketReceivedContext context, ConsoleServices console)
    {
        var http = context.HttpContext;
        string purpose = context.Properties?.Items.TryGetValue(OidcAuthentication.PurposeItem, out var p) == true && p is not null ? p : ConsolePurpose;
        var (user, message) = await console.Oidc!.ResolveAsync(context.Principal!, http.Connection.RemoteIpAddress, purpose, http.RequestAborted)
            .ConfigureAwait(false);
        if (user is null)
        {
            context.HandleResponse();
            await RefuseAsync(http, message!).ConfigureAwait(false);
            return;
        }
        if (http.Items[OidcAuthentication.RefreshTokenItem] is string refresh)
            await console.Oidc!.KeepRefreshTokenAsync(user.Name, context.Principal!, refresh, http.RequestAborted).ConfigureAwait(false);
        if (purpose == ApprovalAuthentication.Purpose)
        {
            // Any role will do: she approves her own SSH logins there and sees nothing else of the console.
            await console.Audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, http.Connection.RemoteIpAddress?.ToString(), null,
                new Dictionary<string, string> { ["method"] = "oidc", ["via"] = "web", ["purpose"] = purpose }, CancellationToken.None).ConfigureAwait(false);
            await SignInAndContinueAsync(context, ApprovalAuthentication.Principal(user.Name), "/approve", ApprovalAuthentication.Scheme).ConfigureAwait(false);
            return;
        }
        string returnPath = SignInPages.LocalPath(context.ReturnUri) ?? "/sessions";
        if (ConsoleUser.ConsoleRole(user) is not { } role)
        {
            await OidcAuthentication.AuditFailureAsync(console, http, user.Name, "no console role (admin or auditor)").ConfigureAwait(false);
            context.HandleResponse();
            await RefuseAsync(http, ConsoleSignIn.NoConsoleRole).ConfigureAwait(false);
            return;
        }
        await console.Audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, http.Connection.RemoteIpAddress?.ToString(), null,
            new Dictionary<string, string> { ["method"] = "oidc", ["via"] = "web", ["role"] = role }, CancellationToken.None).ConfigureAwait(false);
        await SignInAndContinueAsync(context, ConsoleAuthentication.Principal(new ConsoleUser(user.Name, role), DateTimeOffset.UtcNow), returnPath)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Sets the console's cookie and moves on with a page of this site rather than a redirect: the callback is the end of a
    /// navigation that began at the IdP, and the browser withholds SameSite=Strict cookies from every redirect of such a chain,
    /// so a redirect would land on a page that does not see the fresh sign-in.
    /// </summary>
    internal static async Task SignInAndContinueAsync(TicketReceivedContext context, System.Security.Claims.ClaimsPrincipal principal, string path,
        string scheme = CookieAuthenticationDefaults.AuthenticationScheme)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        // Only the console's own claims go into the cookie; nothing else the IdP sent is kept.
        await http.SignInAsync(scheme, principal).ConfigureAwait(false);
        string target = Html.E(path);
        await Html.Page("Signed in", $"<p id=\"continue\">Signed in. <a href=\"{target}\">Continue</a></p>", null, http, StatusCodes.Status200OK,
            $"<meta http-equiv=\"refresh\" content=\"0;url={target}\">").ExecuteAsync(http).ConfigureAwait(false);
    }

    /// <summary>A tampered or replayed state, a missing correlation cookie, a bad token: refused, audited, one clear page.</summary>
    public static async Task RemoteFailureAsync(RemoteFailureContext context, ConsoleServices console)
    {
        context.HandleResponse();
        await OidcAuthentication.AuditFailureAsync(console, context.HttpContext, null, "IdP callback refused: " + Short(context.Failure?.Message))
            .ConfigureAwait(false);
        await RefuseAsync(context.HttpContext, Failed).ConfigureAwait(false);
    }

    public static async Task AccessDeniedAsync(AccessDeniedContext context, ConsoleServices console)
    {
        context.HandleResponse();
        await OidcAuthentication.AuditFailureAsync(console, context.HttpContext, null, "the IdP denied access").ConfigureAwait(false);
        await RefuseAsync(context.HttpContext, Failed).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Html.Error(context, StatusCodes.Status403Forbidden, message).ExecuteAsync(context);
    }

    private static string Short(string? text) => text is null ? "unknown" : text.Length > 200 ? text[..200] : text;
}
