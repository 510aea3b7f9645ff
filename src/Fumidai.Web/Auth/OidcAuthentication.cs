using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
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
            if (options.CaFile is not null) o.BackchannelHttpHandler = TrustingOnly(options.CaFile);
            o.Events = new OpenIdConnectEvents
            {
                OnTicketReceived = context => OidcCallback.TicketReceivedAsync(context, console),
                OnRemoteFailure = context => OidcCallback.RemoteFailureAsync(context, console),
                OnAccessDenied = context => OidcCallback.AccessDeniedAsync(context, console),
            };
        });
    }

    /// <summary>A client to the IdP that trusts the CAs of <paramref name="caFile"/> and no others.</summary>
    private static SocketsHttpHandler TrustingOnly(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
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
