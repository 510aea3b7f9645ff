using System.Net;
using Fumidai.Gateway;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fumidai.Web.Cluster;

/// <summary>
/// The node-to-node listener on <c>Cluster:Listen</c>: other nodes' consoles watch, terminate and lock this node's sessions
/// through it. TLS only, and a client must present a certificate of the cluster's node CA; the node publishes its address in
/// its <c>nodes</c> row, and withdraws it when it stops.
/// </summary>
public sealed class ClusterListener
{
    /// <summary>What a request body may hold: a name, an admin and a reason.</summary>
    public const long MaxRequestBodyBytes = 4 * 1024;

    private readonly DataDirectory _data;
    private readonly LiveScreens _screens;
    private readonly SessionRegistry _sessions;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public ClusterListener(DataDirectory data, LiveScreens screens, SessionRegistry sessions, ILoggerFactory loggers)
    {
        _data = data;
        _screens = screens;
        _sessions = sessions;
        _loggers = loggers;
        _logger = loggers.CreateLogger("cluster");
    }

    /// <summary>Serves until <paramref name="stop"/>; <paramref name="started"/> receives the bound address.</summary>
    public async Task RunAsync(CancellationToken stop, Action<IPEndPoint>? started = null)
    {
        var options = _data.LoadOptions();
        if (!options.Cluster.TryGetEndPoint(out var endPoint))
            throw new ConfigurationException($"Cluster:Listen '{options.Cluster.Listen}' is not ADDRESS:PORT");
        string node = options.Node.Name;
        var store = await _data.OpenStoreAsync(stop).ConfigureAwait(false);
        using var certificates = await NodeCertificates.LoadAsync(store, _data.LoadProtector(), node, stop).ConfigureAwait(false);
        var handlers = new ClusterEndpoints(_screens, _sessions, store, new AuditLog(store, _loggers.CreateLogger("audit")), node);
        await using var app = Build(endPoint!, certificates, handlers);
        try
        {
            await app.StartAsync(stop).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new ConfigurationException($"cluster listener cannot listen on {endPoint}: {ex.Message}");
        }
        var bound = BoundEndPoint(app) ?? endPoint!;
        string advertised = string.IsNullOrWhiteSpace(options.Cluster.Advertise)
            ? (bound.Port == endPoint!.Port ? options.Cluster.Listen! : bound.ToString())
            : options.Cluster.Advertise;
        await store.SetNodeAddressAsync(node, advertised, DateTimeOffset.UtcNow, stop).ConfigureAwait(false);
        _logger.LogInformation("cluster listener on {EndPoint} (advertised as {Address}); only nodes of this cluster are served", bound, advertised);
        started?.Invoke(bound);
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            await store.SetNodeAddressAsync(node, null, DateTimeOffset.UtcNow, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            // Consoles then find the address refused until this node starts again, and say so.
        }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private WebApplication Build(IPEndPoint endPoint, NodeCertificates certificates, ClusterEndpoints handlers)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new QuietFrameworkLoggers(_loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 8 * 1024;
            kestrel.Limits.MaxRequestLineSize = 2 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 1000;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificates.Node,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    CheckCertificateRevocation = false,
                    // The cluster's CA only: the system's roots vouch for nobody here.
                    ClientCertificateValidation = (certificate, _, _) => certificates.IsClusterNode(certificate),
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                });
            });
        });
        var app = builder.Build();
        handlers.Map(app);
        return app;
    }

    private static IPEndPoint? BoundEndPoint(WebApplication app)
    {
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("[::]", "[::1]", StringComparison.Ordinal), UriKind.Absolute, out var uri)) return null;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, uri.Port) : null;
    }
}
