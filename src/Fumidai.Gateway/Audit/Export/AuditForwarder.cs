using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>
/// Follows the audit table for one sink with a cursor kept in the store: reads the events after it in sequence order,
/// delivers them, then moves it. Runs on its own task, so a receiver that is down or slow only grows the backlog; logins
/// and sessions write the table and never wait for it. A failed batch is retried with backoff and sent again (at least once).
/// </summary>
public sealed class AuditForwarder
{
    private static readonly ConcurrentDictionary<AuditForwarder, byte> Running = new();
    private static readonly ObservableGauge<long> BacklogGauge = FumidaiMetrics.Meter.CreateObservableGauge(
        "fumidai.audit.export.backlog",
        () => Running.Keys.Select(f => new Measurement<long>(f.Backlog, new KeyValuePair<string, object?>("export", f._sink.Name))),
        unit: "{event}", description: "Audit events written but not yet delivered by an export (syslog, stdout, webhook)");

    private readonly MetadataStore _store;
    private readonly IAuditSink _sink;
    private readonly ClusterLease _lease;
    private readonly ILogger _logger;
    private readonly long _backlogWarning;
    private long _backlog;
    private bool _warned;
    private bool _holding;

    public AuditForwarder(MetadataStore store, IAuditSink sink, ClusterLease lease, ILogger logger, long backlogWarning)
    {
        _store = store;
        _sink = sink;
        _lease = lease;
        _logger = logger;
        _backlogWarning = backlogWarning;
        _ = BacklogGauge;
    }

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; init; } = 200;

    /// <summary>Events written but not yet delivered, as of the last pass.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    public IAuditSink Sink => _sink;

    /// <summary>Where the crossing of the backlog threshold is audited (and so alerted); none in tests that do not need it.</summary>
    public IAuditLog? Audit { get; init; }

    /// <summary>Delivers until cancelled, then makes one last bounded pass (the stop's own events) and gives the lease up.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Running.TryAdd(this, 0);
        int failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var delay = Interval;
                try
                {
                    await PassAsync(cancellationToken).ConfigureAwait(false);
                    if (failures > 0) _logger.LogInformation("audit export {Export} delivers again", _sink.Name);
                    failures = 0;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, Interval.Ticks << Math.Min(failures, 10)));
                    // The first failure and then about once a minute: a receiver down for hours must not flood the log.
                    if (failures == 1 || failures % Math.Max(1, (int)(TimeSpan.FromMinutes(1) / MaxBackoff)) == 0)
                        _logger.LogWarning("audit export {Export} failed ({Error}); {Backlog} events waiting, retrying", _sink.Name, ex.Message, Backlog);
                }
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            await FinishAsync().ConfigureAwait(false);
        }
        finally
        {
            Running.TryRemove(this, out _);
        }
    }

    /// <summary>One pass: takes or renews the lease, then delivers everything after the cursor, batch by batch.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        bool held = await _lease.TryHoldAsync(cancellationToken).ConfigureAwait(false);
        long last = await _store.LastAuditSequenceAsync(cancellationToken).ConfigureAwait(false);
        if (!held)
        {
            if (_holding) _logger.LogInformation("audit export {Export} is now run by another node", _sink.Name);
            _holding = false;
            Interlocked.Exchange(ref _backlog, Math.Max(0, last - await _store.LeasePositionAsync(_lease.Name, cancellationToken).ConfigureAwait(false)));
            return;
        }
        long? cursor = _lease.Position;
        if (!_holding) _logger.LogInformation("audit export {Export} runs on this node ({Node}) from sequence {Cursor}", _sink.Name, _lease.Holder, cursor);
        _holding = true;
        SetBacklog(last - cursor.Value);
        await _sink.TickAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var batch = await _store.ListAuditAfterAsync(cursor.Value, BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0) return;
            await _sink.SendAsync(batch, cancellationToken).ConfigureAwait(false);
            if (!await _lease.AdvanceAsync(batch[^1].Sequence, cancellationToken).ConfigureAwait(false)) return;
            cursor = batch[^1].Sequence;
            SetBacklog(Math.Max(last, cursor.Value) - cursor.Value);
            // A long backlog outlasts a lease: renew it between batches, and stop if another node took it over.
            if (!await _lease.TryHoldAsync(cancellationToken).ConfigureAwait(false)) return;
        }
    }

    private void SetBacklog(long backlog)
    {
        Interlocked.Exchange(ref _backlog, Math.Max(0, backlog));
        if (backlog > _backlogWarning && !_warned)
        {
            _warned = true;
            _logger.LogWarning("audit export {Export} is behind by {Backlog} events (more than Audit:BacklogWarning = {Threshold})",
                _sink.Name, backlog, _backlogWarning);
            _ = RecordBacklogAsync(backlog);
        }
        else if (backlog <= _backlogWarning / 2 && _warned)
        {
            _warned = false;
            _logger.LogInformation("audit export {Export} caught up: {Backlog} events waiting", _sink.Name, backlog);
        }
    }

    /// <summary>Audits the crossing so the other exports (a webhook) carry it; never waits in the pass nor fails it.</summary>
    private async Task RecordBacklogAsync(long backlog)
    {
        if (Audit is null) return;
        try
        {
            await Audit.RecordAsync(AuditTypes.ExportBacklog, AuditOutcome.Failure, details: new Dictionary<string, string>
            {
                ["export"] = _sink.Name,
                ["backlog"] = backlog.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["threshold"] = _backlogWarning.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["node"] = _lease.Holder,
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
        }
    }

    private async Task FinishAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (_holding) await PassAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning("audit export {Export}: the last events stay for the next start ({Error})", _sink.Name, ex.Message);
        }
        try
        {
            await _lease.ReleaseAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException)
        {
        }
    }
}
