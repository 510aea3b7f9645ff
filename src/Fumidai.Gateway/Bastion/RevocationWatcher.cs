using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// Ends this node's live connections and sessions that lost their access. Admin commands run in other processes (and
/// other nodes share the store), so the signal is the store: a revocation marker and the lockouts, read about once a
/// second; when either moved, every live connection and session is checked again like at its start.
/// </summary>
public sealed class RevocationWatcher
{
    // A kill may arrive before its session registers here (still dialing); it is kept this long in case.
    private static readonly TimeSpan PendingKillLifetime = TimeSpan.FromMinutes(1);
    private readonly BastionContext _context;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, (Revocation Request, DateTimeOffset Seen)> _pendingKills = new(StringComparer.Ordinal);
    private long _seen = -1;

    public RevocationWatcher(BastionContext context, TimeSpan interval)
    {
        _context = context;
        _interval = interval;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_interval, cancellationToken).ConfigureAwait(false);
                await CheckAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
            {
                // A busy or briefly unavailable store delays revocation by one round; the next one retries.
                _context.Logger.LogWarning("revocation check failed: {Message}", ex.Message);
            }
        }
    }

    /// <summary>One round: new requests, kills, and a full re-check when something changed.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var store = _context.Revocations;
        var now = _context.Time.GetUtcNow();
        long latest = await store.LatestRevocationAsync(cancellationToken).ConfigureAwait(false);
        if (_seen < 0) _seen = latest; // Older requests concern connections this process never had.
        var requests = latest > _seen ? await store.ListRevocationsAfterAsync(_seen, cancellationToken).ConfigureAwait(false) : [];
        if (requests.Count > 0) _seen = requests[^1].Seq;
        foreach (var kill in requests.Where(r => r.Scope == RevocationScopes.Session && r.SessionId is not null))
            _pendingKills[kill.SessionId!] = (kill, now);
        bool changed = _context.Sessions.TakeChanged() || requests.Any(r => r.Scope != RevocationScopes.Session);
        EndKilledSessions(now);
        var connections = _context.Sessions.Connections;
        if (connections.Count == 0) return;
        var locks = await store.ListLocksAsync(now, cancellationToken).ConfigureAwait(false);
        if (!changed && !connections.Any(c => c.IsLocked(locks))) return;
        // The IdP's reasons are hers to read (she left, or lost her groups); an admin's own reason stays in the audit log.
        var told = requests.Where(r => r.Scope == RevocationScopes.User && r.User is not null && Identity.Idp.LeaverSync.IsIdpReason(r.Reason))
            .GroupBy(r => r.User!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Reason, StringComparer.Ordinal);
        await RecheckAsync(connections, locks, told, cancellationToken).ConfigureAwait(false);
    }

    private void EndKilledSessions(DateTimeOffset now)
    {
        foreach (var (id, (request, seen)) in _pendingKills.ToArray())
        {
            if (_context.Sessions.Session(id) is { } session)
            {
                session.End(SessionEndReason.Killed, "session closed by an administrator" + (request.Reason.Length > 0 ? ": " + request.Reason : ""));
                _pendingKills.Remove(id);
            }
            else if (now - seen > PendingKillLifetime)
            {
                _pendingKills.Remove(id);
            }
        }
    }

    private async Task RecheckAsync(IReadOnlyList<OperatorConnection> connections, IReadOnlySet<(string User, string Source)> locks,
        Dictionary<string, string> told, CancellationToken cancellationToken)
    {
        var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        var targets = (await _context.Access.ListTargetsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var users = await _context.UserStates.GetUserStatesAsync([.. connections.Select(c => c.UserName).Distinct(StringComparer.Ordinal)],
            cancellationToken).ConfigureAwait(false);
        foreach (var connection in connections)
        {
            var (user, revoked) = users[connection.UserName];
            string? why = connection.Refusal(user, connection.IsLocked(locks), revoked);
            if (why is not null && told.TryGetValue(connection.UserName, out var reason)) why += $" ({reason})";
            if (why is null && connection.Name.Target is { } targetName)
            {
                // A connection for one target outlives its sessions (ControlMaster): it goes when the target is no longer hers.
                bool allowed = targets.ContainsKey(targetName) && policy.RolesFor(user!, targetName).Count > 0;
                if (connection.LostTarget(allowed))
                    why = targets.ContainsKey(targetName) ? $"no role grants access to {targetName}" : $"{targetName} is no longer a target";
            }
            if (why is not null)
            {
                _ = connection.EndAsync(SessionEndReason.Revoked, "access revoked: " + why);
                continue;
            }
            connection.StopForwardsDenied(user!, policy, targets);
            // The connection stays; each of its sessions is checked as at its start.
            foreach (var session in _context.Sessions.LiveSessions.Where(s => _context.Sessions.ConnectionOf(s.Connection) == connection))
            {
                string? denied = targets.TryGetValue(session.Target, out var target)
                    ? policy.Check(user!, target, session.Login, session.Kind)
                    : $"{session.Target} is no longer a target";
                if (denied is not null) session.End(SessionEndReason.Revoked, "session closed: access revoked: " + denied);
            }
        }
    }
}
