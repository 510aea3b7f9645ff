using System.Data.Common;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// Keeps this node's heartbeat in the shared store and ends, as interrupted, the running sessions of nodes whose heartbeat
/// stopped: their relays died with them, and nobody else would close their rows.
/// </summary>
public sealed class NodeMonitor
{
    private readonly MetadataStore _store;
    private readonly IAuditLog _audit;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public NodeMonitor(MetadataStore store, IAuditLog audit, string node, TimeSpan interval, TimeSpan deadAfter, ILogger logger,
        TimeProvider? time = null)
    {
        _store = store;
        _audit = audit;
        Node = node;
        Interval = interval;
        DeadAfter = deadAfter;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public string Node { get; }

    public TimeSpan Interval { get; }

    public TimeSpan DeadAfter { get; }

    /// <summary>Announces the node as started (a first heartbeat), before it recovers anything.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        _store.HeartbeatAsync(Node, _time.GetUtcNow(), starting: true, cancellationToken);

    /// <summary>Marks the running sessions of dead nodes interrupted, auditing each one this node was first to mark; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        int marked = 0;
        foreach (var session in await _store.ListRunningSessionsOfDeadNodesAsync(Node, now - DeadAfter, cancellationToken).ConfigureAwait(false))
        {
            if (!await _store.TryInterruptSessionAsync(session.Id, now, cancellationToken).ConfigureAwait(false)) continue;
            marked++;
            await _audit.RecordAsync(AuditTypes.SessionEnd, AuditOutcome.Failure, session.User, session.Source, session.Target,
                new Dictionary<string, string>
                {
                    ["session"] = session.Id,
                    ["reason"] = SessionEndReason.Interrupted.Name,
                    ["node"] = session.Node ?? "",
                    ["marked_by"] = Node,
                }, cancellationToken).ConfigureAwait(false);
            _logger.LogWarning("session {Session} of {User} ran on node {Node}, which stopped its heartbeat; marked interrupted",
                session.Id, session.User, session.Node);
        }
        return marked;
    }

    /// <summary>Heartbeats and sweeps every <see cref="Interval"/> until cancelled; a store outage is logged and tried again.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _time, cancellationToken).ConfigureAwait(false);
                try
                {
                    await _store.HeartbeatAsync(Node, _time.GetUtcNow(), cancellationToken: cancellationToken).ConfigureAwait(false);
                    FumidaiMetrics.Heartbeats.Add(1, new KeyValuePair<string, object?>("result", "ok"));
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    FumidaiMetrics.Heartbeats.Add(1, new KeyValuePair<string, object?>("result", "failed"));
                    throw;
                }
                await SweepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException or InvalidOperationException)
            {
                _logger.LogWarning("node heartbeat failed: {Error}", ex.Message);
            }
        }
    }
}
