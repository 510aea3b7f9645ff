using System.Collections.Concurrent;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// What runs on this node: session runs (so a drain can wait for each to finish its recording), and the live operator
/// connections and relaying sessions that revocation re-checks.
/// </summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly ConcurrentDictionary<string, LiveSession> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SshConnection, OperatorConnection> _connections = new();
    private int _changed;

    public int Count => _running.Count;

    public void Add(string id, Task completion)
    {
        _running[id] = completion;
        _ = completion.ContinueWith(_ => _running.TryRemove(id, out Task? _), TaskScheduler.Default);
    }

    public Task WhenAllAsync(TimeSpan timeout) => Task.WhenAll(_running.Values).WaitAsync(timeout);

    /// <summary>Registers a session that started relaying; dispose the result when it stops.</summary>
    public LiveSession Track(string id, SshConnection connection, string user, string target, string login, string kind)
    {
        var session = new LiveSession(id, connection, user, target, login, kind, s => _live.TryRemove(new KeyValuePair<string, LiveSession>(s.Id, s)));
        _live[id] = session;
        // Its access was checked against what was current when it started, which may predate the latest change seen.
        Interlocked.Exchange(ref _changed, 1);
        return session;
    }

    public void Track(SshConnection connection, OperatorConnection operatorConnection)
    {
        _connections[connection] = operatorConnection;
        Interlocked.Exchange(ref _changed, 1);
    }

    public void Untrack(SshConnection connection) => _connections.TryRemove(connection, out _);

    public OperatorConnection? ConnectionOf(SshConnection connection) => _connections.TryGetValue(connection, out var found) ? found : null;

    public LiveSession? Session(string id) => _live.TryGetValue(id, out var found) ? found : null;

    public IReadOnlyList<LiveSession> LiveSessions => _live.Values.ToArray();

    public IReadOnlyList<LiveSession> SessionsOn(SshConnection connection) => _live.Values.Where(s => s.Connection == connection).ToArray();

    public IReadOnlyList<OperatorConnection> Connections => _connections.Values.ToArray();

    /// <summary>True once after a session or connection was added: it may need checking against a newer state.</summary>
    public bool TakeChanged() => Interlocked.Exchange(ref _changed, 0) == 1;
}
