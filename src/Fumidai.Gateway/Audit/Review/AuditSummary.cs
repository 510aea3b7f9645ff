using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Audit.Review;

/// <summary>Logins from one user and source.</summary>
public sealed record LoginCount(string? User, string? Source, int Count);

/// <summary>Failed authentications of one type from one user and source.</summary>
public sealed record FailureCount(string Type, string? User, string? Source, int Count);

/// <summary>One account lockout.</summary>
public sealed record LockoutEntry(DateTimeOffset Time, string? User, string? Source, string? Failures);

/// <summary>Sessions on one target: how many, by whom, how many failed.</summary>
public sealed record TargetSessions(string Target, int Sessions, int Failed, IReadOnlyList<string> Users);

/// <summary>A login or session start outside working hours, with its local time.</summary>
public sealed record UnusualHourEvent(DateTimeOffset Time, string LocalTime, string Type, string? User, string? Source, string? Target);

/// <summary>A typed command matching the watch list.</summary>
public sealed record WatchedCommand(DateTimeOffset Time, string User, string Target, string Session, string Command, IReadOnlyList<string> Patterns);

/// <summary>A session whose recording was checked and did not verify.</summary>
public sealed record UnverifiedRecording(string Session, string User, string Target, string Problem);

/// <summary>The daily review of the audit log and sessions over a period (PCI DSS 10.4.1).</summary>
public sealed record AuditSummary(
    DateTimeOffset Since,
    DateTimeOffset Until,
    IReadOnlyList<LoginCount> Logins,
    IReadOnlyList<FailureCount> Failures,
    IReadOnlyList<LockoutEntry> Lockouts,
    IReadOnlyList<TargetSessions> SessionsByTarget,
    IReadOnlyList<UnusualHourEvent> UnusualHours,
    IReadOnlyList<WatchedCommand> WatchedCommands,
    IReadOnlyList<UnverifiedRecording> UnverifiedRecordings,
    int UncheckedRecordings)
{
    private static readonly string[] FailureTypes = [AuditTypes.LoginFailure, AuditTypes.MfaFailure, AuditTypes.MfaReplay];

    public static async Task<AuditSummary> BuildAsync(MetadataStore store, ReviewOptions review, DateTimeOffset since, DateTimeOffset until,
        CancellationToken cancellationToken = default)
    {
        var events = (await store.ListAuditAsync(since, cancellationToken).ConfigureAwait(false)).Where(e => e.Time <= until).ToList();
        var sessions = (await store.ListSessionsAsync(null, null, since, cancellationToken).ConfigureAwait(false)).Where(s => s.Start <= until).ToList();

        var logins = events.Where(e => e.Type == AuditTypes.Login)
            .GroupBy(e => (e.User, e.Source)).Select(g => new LoginCount(g.Key.User, g.Key.Source, g.Count()))
            .OrderByDescending(l => l.Count).ThenBy(l => l.User, StringComparer.Ordinal).ThenBy(l => l.Source, StringComparer.Ordinal).ToList();
        var failures = events.Where(e => FailureTypes.Contains(e.Type))
            .GroupBy(e => (e.Type, e.User, e.Source)).Select(g => new FailureCount(g.Key.Type, g.Key.User, g.Key.Source, g.Count()))
            .OrderByDescending(f => f.Count).ThenBy(f => f.Type, StringComparer.Ordinal).ThenBy(f => f.User, StringComparer.Ordinal).ToList();
        var lockouts = events.Where(e => e.Type == AuditTypes.Lockout)
            .Select(e => new LockoutEntry(e.Time, e.User, e.Source, e.Details.GetValueOrDefault("failures"))).OrderBy(l => l.Time).ToList();
        var byTarget = sessions.GroupBy(s => s.Target, StringComparer.Ordinal)
            .Select(g => new TargetSessions(g.Key, g.Count(), g.Count(s => s.Status is SessionStatus.Failed or SessionStatus.Interrupted),
                g.Select(s => s.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .OrderByDescending(t => t.Sessions).ThenBy(t => t.Target, StringComparer.Ordinal).ToList();

        var (from, to) = review.Hours();
        var days = review.Days();
        var zone = review.Zone();
        var unusual = events.Where(e => e.Type is AuditTypes.Login or AuditTypes.SessionStart)
            .Select(e => (Event: e, Local: TimeZoneInfo.ConvertTime(e.Time, zone)))
            .Where(x => !days.Contains(x.Local.DayOfWeek) || !TimeOnly.FromDateTime(x.Local.DateTime).IsBetween(from, to))
            .Select(x => new UnusualHourEvent(x.Event.Time, x.Local.ToString("ddd yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                x.Event.Type, x.Event.User, x.Event.Source, x.Event.Target))
            .OrderBy(u => u.Time).ToList();

        var watched = new Dictionary<(string, DateTimeOffset, string), (CommandHit Hit, List<string> Patterns)>();
        foreach (string pattern in review.Watched())
        {
            foreach (var hit in await store.SearchCommandsAsync(pattern, null, since, 1000, cancellationToken).ConfigureAwait(false))
            {
                if (hit.Time > until) continue;
                var key = (hit.SessionId, hit.Time, hit.Command);
                if (!watched.TryGetValue(key, out var entry)) watched[key] = entry = (hit, []);
                if (!entry.Patterns.Contains(pattern)) entry.Patterns.Add(pattern);
            }
        }
        var commands = watched.Values.OrderBy(w => w.Hit.Time).ThenBy(w => w.Hit.SessionId, StringComparer.Ordinal)
            .Select(w => new WatchedCommand(w.Hit.Time, w.Hit.User, w.Hit.Target, w.Hit.SessionId, w.Hit.Command, w.Patterns)).ToList();

        var ended = sessions.Where(s => s.Status != SessionStatus.Running).ToList();
        var checks = await store.RecordingChecksAsync(ended.Select(s => s.Id).ToList(), cancellationToken).ConfigureAwait(false);
        var unverified = ended.Where(s => checks.TryGetValue(s.Id, out var c) && !c.Verified)
            .Select(s => new UnverifiedRecording(s.Id, s.User, s.Target, checks[s.Id].Problem ?? "did not verify")).ToList();
        int unchecked_ = ended.Count(s => !checks.ContainsKey(s.Id));
        return new AuditSummary(since, until, logins, failures, lockouts, byTarget, unusual, commands, unverified, unchecked_);
    }
}
