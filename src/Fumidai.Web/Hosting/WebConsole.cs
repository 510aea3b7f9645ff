using System.Net;
using Fumidai.Gateway;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Chunks;
using Fumidai.Web.Auth;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fumidai.Web.Hosting;

/// <summary>The web console inside <c>fumidai serve</c> (or alone with <c>--no-ssh</c>): Kestrel, HTTPS only, on <c>Web:Listen</c>.</summary>
public sealed class WebConsole
{
    /// <summary>What a request body may hold: forms are small, and nothing is uploaded to the console.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    private readonly DataDirectory _data;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly LiveScreens _liveScreens;

    /// <param name="liveScreens">The screens of the sessions running in this process, for the live view; none when the console runs alone.</param>
    public WebConsole(DataDirectory data, ILoggerFactory loggers, LiveScreens? liveScreens = null)
    {
        _data = data;
        _liveScreens = liveScreens ?? new LiveScreens();
        _loggers = loggers;
        _logger = loggers.CreateLogger("web");
    }

    /// <summary>
    /// Makes the self-signed certificate when the configuration names none and the data directory has none (a directory made
    /// before the console existed), so an upgrade starts; returns its fingerprint, or null when nothing was made.
    /// </summary>
    public static string? EnsureCertificate(DataDirectory data, WebOptions options) =>
        options.Enabled && options.Certificate is null && !WebCertificate.Exists(data) ? WebCertificate.Create(data) : null;

    /// <summary>Serves until <paramref name="stop"/>; <paramref name="started"/> receives the bound address.</summary>
    public async Task RunAsync(CancellationToken stop, Action<IPEndPoint>? started = null)
    {
        var options = _data.LoadOptions();
        if (!ConfigurationLoader.TryParseEndPoint(options.Web.Listen, out var endPoint))
            throw new ConfigurationException($"Web:Listen '{options.Web.Listen}' is not ADDRESS:PORT");
        if (EnsureCertificate(_data, options.Web) is { } made)
            _logger.LogWarning("created the console's self-signed certificate {Path}; SHA-256 fingerprint {Fingerprint}",
                WebCertificate.CertificatePath(_data), made);
        using var certificate = WebCertificate.Load(_data, options.Web);
        var store = await _data.OpenStoreAsync(stop).ConfigureAwait(false);
        var audit = new AuditLog(store, _loggers.CreateLogger("audit"));
        var recordings = RecordingStores.Open(options.Recording, _data);
        using var cluster = new Cluster.ClusterClient(_data, store, options.Node.Name, Duration.Parse(options.Node.DeadAfter));
        try
        {
            var protector = _data.LoadProtector();
            var services = new ConsoleServices
            {
                Data = _data,
                Options = options,
                Store = store,
                Audit = audit,
                Recordings = recordings,
                LiveScreens = _liveScreens,
                Cluster = cluster,
                AuditKey = Ed25519ManifestVerifier.FromOpenSshLine(File.ReadAllText(_data.AuditPublicKeyPath).Trim()),
                SignIn = new ConsoleSignIn(store, protector, audit,
                    new SourceThrottle(options.Security.SourceFailureLimit, Duration.Parse(options.Security.SourceWindow)),
                    options.Security.LockoutThreshold, Duration.Parse(options.Security.LockoutDuration)),
                Oidc = options.Oidc.Enabled ? new OidcSignIn(store, audit, options.Oidc, protector) : null,
                Approvals = options.Oidc.Enabled ? new LoginApprovals(store, Duration.Parse(options.Oidc.ApprovalLifetime), options.Node.Name) : null,
            };
            await using var app = Build(services, endPoint!, certificate);
            try
            {
                await app.StartAsync(stop).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new ConfigurationException($"web console cannot listen on {endPoint}: {ex.Message}");
            }
            var bound = BoundEndPoint(app) ?? endPoint!;
            _logger.LogInformation("console listening on https://{EndPoint}/; certificate SHA-256 {Fingerprint}", bound, WebCertificate.Fingerprint(certificate));
            started?.Invoke(bound);
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            _logger.LogInformation("console stopped");
        }
        finally
        {
            (recordings as IDisposable)?.Dispose();
        }
    }

    private WebApplication Build(ConsoleServices services, IPEndPoint endPoint, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        // The console logs through serve's escaping formatter; request logging stays off: URLs and forms carry no recording
        // text, but nothing here should ever write one, so the framework's own chatter is kept to warnings.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new QuietFrameworkLoggers(_loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 1000;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        builder.Services.AddSingleton(services);
        builder.Services.AddDataProtection().SetApplicationName("fumidai-console");
        builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = new InMemoryKeyRing());
        ConsoleAuthentication.Add(builder.Services, services);
        OidcAuthentication.Add(builder.Services, services);
        ApprovalAuthentication.Add(builder.Services);
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-fumidai-af";
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.FormFieldName = "__af";
            o.HeaderName = "X-Fumidai-AF";
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.ValueCountLimit = 64;
            o.ValueLengthLimit = 16 * 1024;
            o.KeyLengthLimit = 256;
            o.MultipartBodyLengthLimit = MaxRequestBodyBytes;
        });
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<ErrorPages>();
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/assets",
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot")),
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<AntiforgeryCheck>();
        ConsoleEndpoints.Map(app);
        return app;
    }

    private static IPEndPoint? BoundEndPoint(WebApplication app)
    {
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("[::]", "[::1]", StringComparison.Ordinal), UriKind.Absolute, out var uri)) return null;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, uri.Port) : null;
    }
}
