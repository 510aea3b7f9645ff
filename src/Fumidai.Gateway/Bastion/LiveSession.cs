using Fumidai.Gateway.Sessions;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>A session relaying right now, as revocation sees it: who, where, and a way to end it with a reason and a notice.</summary>
public sealed class LiveSession : IDisposable
{
    private readonly TaskCompletionSource<SessionEndReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<LiveSession> _remove;
    private string? _notice;

    internal LiveSession(string id, SshConnection connection, string user, string target, string login, string kind, Action<LiveSession> remove)
    {
        Id = id;
        Connection = connection;
        User = user;
        Target = target;
        Login = login;
        Kind = kind;
        _remove = remove;
    }

    public string Id { get; }

    /// <summary>The operator's connection that carries the session.</summary>
    public SshConnection Connection { get; }

    public string User { get; }

    public string Target { get; }

    public string Login { get; }

    public string Kind { get; }

    /// <summary>Completes with the end reason (revoked, killed…) when someone ends the session from outside.</summary>
    public Task<SessionEndReason> Ended => _ended.Task;

    /// <summary>What the operator is told when <see cref="Ended"/> completes.</summary>
    public string Notice => Volatile.Read(ref _notice) ?? "session closed";

    /// <summary>Completes once the session has stopped relaying.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Asks the session to end; the first request wins, later ones are ignored.</summary>
    public bool End(SessionEndReason reason, string notice)
    {
        if (Interlocked.CompareExchange(ref _notice, notice, null) is not null) return false;
        return _ended.TrySetResult(reason);
    }

    public void Dispose()
    {
        _remove(this);
        _finished.TrySetResult();
    }
}
