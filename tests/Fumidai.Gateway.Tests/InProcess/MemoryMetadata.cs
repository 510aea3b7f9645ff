using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>The gateway's stores in memory, for in-process tests: what a second metadata provider has to implement.</summary>
public sealed class MemoryMetadata : ICredentialStore, IPolicyStore, ISessionStore, ICommandIndex, IRevocationStore, IAuditStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, UserRecord> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TargetRecord> _targets = new(StringComparer.Ordinal);
    private readonly List<AccessRole> _roles = [];
    private readonly Dictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)>> _commands = new(StringComparer.Ordinal);
    private readonly List<AuditEvent> _audit = [];
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<(string User, string Source), DateTimeOffset> _locks = [];
    private readonly List<Revocation> _revocations = [];

    public void AddUser(UserRecord user)
    {
        lock (_lock) _users[user.Name] = user;
    }

    public void AddTarget(TargetRecord target)
    {
        lock (_lock) _targets[target.Name] = target;
    }

    public void AddRole(AccessRole role)
    {
        lock (_lock) _roles.Add(role);
    }

    public void RevokeUser(string user, DateTimeOffset at)
    {
        lock (_lock)
        {
            _revoked[user] = at;
            _revocations.Add(new Revocation(_revocations.Count + 1, at, RevocationScopes.User, user, null, "test", "test"));
        }
    }

    public void KillSession(string sessionId, DateTimeOffset at)
    {
        lock (_lock) _revocations.Add(new Revocation(_revocations.Count + 1, at, RevocationScopes.Session, null, sessionId, "test kill", "test"));
    }

    public IReadOnlyList<SessionRecord> Sessions
    {
        get
        {
            lock (_lock) return _sessions.Values.ToArray();
        }
    }

    public IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)>? CommandsOf(string sessionId)
    {
        lock (_lock) return _commands.TryGetValue(sessionId, out var found) ? found : null;
    }

    public Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_users.GetValueOrDefault(name));
    }

    public Task<IReadOnlyList<UserKeyRecord>> ListUserKeysAsync(string userName, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<UserKeyRecord>>([]);

    public Task<bool> TryUseTotpStepAsync(string name, long step, CancellationToken cancellationToken = default) => Task.FromResult(true);

    public Task<(int Failures, bool Locked)> RecordFailureAsync(string userName, string source, int threshold, TimeSpan lockFor, DateTimeOffset now,
        CancellationToken cancellationToken = default) => Task.FromResult((1, false));

    public Task<DateTimeOffset?> GetLockedUntilAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var until = _locks.Where(l => l.Key.User == userName && (l.Key.Source == source || l.Key.Source == MetadataStore.AllSources) && l.Value > now)
                .Select(l => (DateTimeOffset?)l.Value).Max();
            return Task.FromResult(until);
        }
    }

    public Task<bool> ClearFailuresAsync(string userName, string source, CancellationToken cancellationToken = default) => Task.FromResult(false);

    public Task<IReadOnlyList<TargetRecord>> ListTargetsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<TargetRecord>>(_targets.Values.ToArray());
    }

    public Task<TargetRecord?> GetTargetAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_targets.GetValueOrDefault(name));
    }

    public Task<IReadOnlyList<AccessRole>> ListRolesAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<AccessRole>>(_roles.ToArray());
    }

    public Task AddSessionAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        lock (_lock) _sessions.Add(session.Id, session);
        return Task.CompletedTask;
    }

    public Task EndSessionAsync(string id, DateTimeOffset end, SessionEndReason reason, long bytesIn, long bytesOut,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _sessions[id] = _sessions[id] with { End = end, Status = reason.Status, EndReason = reason.Name, BytesIn = bytesIn, BytesOut = bytesOut };
        }
        return Task.CompletedTask;
    }

    public Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_sessions.GetValueOrDefault(id));
    }

    public Task<IReadOnlyList<SessionRecord>> ListRunningSessionsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<SessionRecord>>(_sessions.Values.Where(s => s.Status == SessionStatus.Running).ToArray());
    }

    public Task IndexSessionCommandsAsync(string sessionId, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands,
        CancellationToken cancellationToken = default)
    {
        lock (_lock) _commands[sessionId] = commands;
        return Task.CompletedTask;
    }

    public Task<long> LatestRevocationAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult((long)_revocations.Count);
    }

    public Task<IReadOnlyList<Revocation>> ListRevocationsAfterAsync(long seq, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<Revocation>>(_revocations.Where(r => r.Seq > seq).ToArray());
    }

    public Task<DateTimeOffset?> GetUserRevokedAsync(string userName, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_revoked.TryGetValue(userName, out var at) ? at : (DateTimeOffset?)null);
    }

    public Task<IReadOnlySet<(string User, string Source)>> ListLocksAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlySet<(string User, string Source)>>(_locks.Where(l => l.Value > now).Select(l => l.Key).ToHashSet());
    }

    public Task<AuditEvent> AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var stored = auditEvent with { Sequence = _audit.Count + 1 };
            _audit.Add(stored);
            return Task.FromResult(stored);
        }
    }

    public Task<IReadOnlyList<AuditEvent>> ListAuditAfterAsync(long sequence, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<AuditEvent>>(_audit.Where(e => e.Sequence > sequence).Take(limit).ToArray());
    }

    /// <summary>Every audit event so far, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit
    {
        get
        {
            lock (_lock) return _audit.ToArray();
        }
    }
}
