using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>The audit exports <c>serve</c> runs, as configured (syslog, stdout, webhook alerts), each on its own task.</summary>
public sealed class AuditExports : IAsyncDisposable
{
    private readonly List<AuditForwarder> _forwarders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private int _disposed;

    /// <summary>Builds the configured exports; none runs before <see cref="Start"/>.</summary>
    public AuditExports(FumidaiOptions options, MetadataStore store, IAuditLog audit, string node, ILoggerFactory loggers, TextWriter stdout)
    {
        var logger = loggers.CreateLogger("audit.export");
        var sinks = new List<IAuditSink>();
        if (options.Audit.Syslog.Address is { } text && SyslogAddress.TryParse(text, out var address, out _))
            sinks.Add(new SyslogSink(address!, options.Audit.Syslog.CaFile, node, logger));
        if (options.Audit.Stdout) sinks.Add(new StdoutSink(stdout));
        if (Alerts.WebhookAlertSink.FromOptions(options.Alerts.Webhook, loggers.CreateLogger("alerts")) is { } webhook) sinks.Add(webhook);
        foreach (var sink in sinks)
            _forwarders.Add(new AuditForwarder(store, sink, new ClusterLease(store, ClusterLease.AuditExport(sink.Name), node, ClusterLease.AuditExportDuration), logger, options.Audit.BacklogWarning)
            {
                Audit = audit,
            });
    }

    public IReadOnlyList<AuditForwarder> Forwarders => _forwarders;

    public void Start()
    {
        foreach (var forwarder in _forwarders) _running.Add(forwarder.RunAsync(_stop.Token));
    }

    /// <summary>Stops the exports after a last bounded pass, so a clean stop's own events leave too.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running).ConfigureAwait(false);
        foreach (var forwarder in _forwarders) await forwarder.Sink.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
