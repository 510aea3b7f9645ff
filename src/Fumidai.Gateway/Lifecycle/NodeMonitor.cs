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

    // Since when this node's heartbeats have reached the store without a failure; null while they fail.
    private DateTimeOffset? _reachedSince;

    /// <summary>Announces the node as started (a first heartbeat), before it recovers anything.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _store.HeartbeatAsync(Node, now, starting: true, cancellationToken).ConfigureAwait(false);
        _reachedSince = now;
    }

    /// <summary>
    /// Marks the running sessions of dead nodes interrupted, auditing each one this node was first to mark; returns how many.
    /// Only once this node itself has reached the store for a whole <see cref="DeadAfter"/>: a peer's silence while the
    /// database was away (or before this node came up) says nothing about the peer, which may be serving all along.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_reachedSince is not { } since || now - since < DeadAfter) return 0;
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
                    var now = _time.GetUtcNow();
                    await _store.HeartbeatAsync(Node, now, cancellationToken: cancellationToken).ConfigureAwait(false);
                    _reachedSince ??= now;
                    FumidaiMetrics.Heartbeats.Add(1, new KeyValuePair<string, object?>("result", "ok"));
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    _reachedSince = null;
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
