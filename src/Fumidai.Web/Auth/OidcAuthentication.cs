using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity.Idp;
using Fumidai.Web.Hosting;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Fumidai.Web.Auth;

/// <summary>
/// ASP.NET Core's OpenID Connect handler on <c>Oidc:*</c>: authorization code flow with PKCE, the response as a query (a plain
/// GET back to the console), state and nonce checked against their correlation cookies, the ID token's signature, issuer and
/// audience checked against the IdP's published metadata. What the IdP vouched for becomes the console's own cookie.
/// </summary>
public static class OidcAuthentication
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string CallbackPath = "/signin-oidc";

    /// <summary>The key in the challenge's properties that says what the sign-in is for.</summary>
    public const string PurposeItem = "fumidai:purpose";

    /// <summary>The key in the request's items under which the IdP's refresh token waits for the callback.</summary>
    public const string RefreshTokenItem = "fumidai:refresh-token";

    public static void Add(IServiceCollection services, ConsoleServices console)
    {
        var options = console.Options.Oidc;
        if (!options.Enabled) return;
        services.AddAuthentication().AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = options.Authority;
            o.ClientId = options.ClientId;
            o.ClientSecret = options.ReadClientSecret();
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.RequireHttpsMetadata = true;
            o.SaveTokens = false;
            o.DisableTelemetry = true;
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.ClaimActions.MapJsonKey(options.RolesClaim, options.RolesClaim);
            o.ClaimActions.MapUniqueJsonKey(options.UsernameClaim, options.UsernameClaim);
            o.Scope.Clear();
            foreach (string scope in options.ScopeList) o.Scope.Add(scope);
            o.TokenValidationParameters.NameClaimType = options.UsernameClaim;
            o.TokenValidationParameters.RoleClaimType = options.RolesClaim;
            o.TokenValidationParameters.ValidateIssuer = true;
            o.ProtocolValidator.RequireNonce = true;
            // The redirect back from the IdP is a cross-site top-level GET: Lax cookies come along with it, Strict ones would not.
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            if (options.CaFile is not null) o.BackchannelHttpHandler = IdpBackchannel.Handler(options.CaFile);
            o.Events = new OpenIdConnectEvents
            {
                OnTokenValidated = context =>
                {
                    // Kept for the callback only: it is stored, sealed, once the bastion user she stands for is known.
                    if (context.TokenEndpointResponse?.RefreshToken is { Length: > 0 } refresh) context.HttpContext.Items[RefreshTokenItem] = refresh;
                    return Task.CompletedTask;
                },
                OnTicketReceived = context => OidcCallback.TicketReceivedAsync(context, console),
                OnRemoteFailure = context => OidcCallback.RemoteFailureAsync(context, console),
                OnAccessDenied = context => OidcCallback.AccessDeniedAsync(context, console),
            };
        });
    }

    /// <summary>Starts a sign-in at the IdP that comes back to <paramref name="returnPath"/> (a local path).</summary>
    public static IResult Challenge(string returnPath, string purpose) =>
        Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?> { [PurposeItem] = purpose }) { RedirectUri = returnPath }, [Scheme]);

    /// <summary>Audits a refused IdP sign-in.</summary>
    internal static Task<AuditEvent> AuditFailureAsync(ConsoleServices console, HttpContext context, string? user, string reason) =>
        console.Audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, user, context.Connection.RemoteIpAddress?.ToString(), null,
            new Dictionary<string, string> { ["method"] = "oidc", ["via"] = "web", ["reason"] = reason }, CancellationToken.None);

    internal static OidcOptions Options(ConsoleServices console) => console.Options.Oidc;
}
