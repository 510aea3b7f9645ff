using System.Net;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Fumidai.Web.Health;

/// <summary>
/// <c>GET /healthz</c> and <c>GET /metrics</c> (Prometheus text) on <c>Health:Listen</c>: plain HTTP, separate from the
/// console so it runs with the console off, and on loopback by default since it asks for no credentials.
/// </summary>
public sealed class HealthListener
{
    private readonly IPEndPoint _endPoint;
    private readonly NodeHealth _health;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public HealthListener(HealthOptions options, NodeHealth health, ILoggerFactory loggers)
    {
        if (!options.TryGetEndPoint(out var endPoint))
            throw new ConfigurationException($"Health:Listen '{options.Listen}' is not ADDRESS:PORT");
        _endPoint = endPoint!;
        _health = health;
        _loggers = loggers;
        _logger = loggers.CreateLogger("health");
    }

    /// <summary>Serves until <paramref name="stop"/>; <paramref name="started"/> receives the bound address.</summary>
    public async Task RunAsync(CancellationToken stop, Action<IPEndPoint>? started = null)
    {
        using var meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(FumidaiMetrics.MeterName)
            .AddPrometheusExporter(o =>
            {
                // Each scrape sees the node as it is now: a monitoring system scrapes every few seconds at most.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.TargetInfoEnabled = false;
            })
            .Build();
        await using var app = Build(meters);
        try
        {
            await app.StartAsync(stop).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new ConfigurationException($"health listener cannot listen on {_endPoint}: {ex.Message}");
        }
        var bound = BoundEndPoint(app) ?? _endPoint;
        _logger.LogInformation("health and metrics on http://{EndPoint}/healthz and /metrics", bound);
        started?.Invoke(bound);
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private WebApplication Build(MeterProvider meters)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new QuietFrameworkLoggers(_loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Listen(_endPoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.MapMethods("/healthz", ["GET", "HEAD"], async (HttpContext http) =>
        {
            var (ready, reason) = await _health.CheckAsync(http.RequestAborted).ConfigureAwait(false);
            http.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            if (!HttpMethods.IsHead(http.Request.Method)) await http.Response.WriteAsync(reason + "\n", http.RequestAborted).ConfigureAwait(false);
        });
        app.MapPrometheusScrapingEndpoint("/metrics", meters, null, null);
        return app;
    }

    private static IPEndPoint? BoundEndPoint(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("[::]", "[::1]", StringComparison.Ordinal), UriKind.Absolute, out var uri)) return null;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, uri.Port) : null;
    }
}
