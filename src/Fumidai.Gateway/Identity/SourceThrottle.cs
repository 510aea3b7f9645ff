using System.Collections.Concurrent;

namespace Fumidai.Gateway.Identity;

/// <summary>Per-source throttling of failed logins, so one source cannot grind through many accounts.</summary>
/// <remarks>
/// Sources are <see cref="Ssh.Server.SourceKey"/>s: an IPv4 address, or an IPv6 /64, since one IPv6 host may use any
/// address of its /64. Kept per node in memory: account lockout, which is shared through the database, is the durable control.
/// </remarks>
public sealed class SourceThrottle
{
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new();

    public SourceThrottle(int limit, TimeSpan window)
    {
        _limit = limit;
        _window = window;
    }

    public bool IsThrottled(string source, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(source, out var times)) return false;
        lock (times)
        {
            Prune(times, now);
            return times.Count >= _limit;
        }
    }

    public void RecordFailure(string source, DateTimeOffset now)
    {
        var times = _failures.GetOrAdd(source, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Prune(times, now);
            times.Enqueue(now);
        }
        if (_failures.Count > 100_000) Sweep(now);
    }

    private void Prune(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && now - times.Peek() > _window) times.Dequeue();
    }

    /// <summary>Bounds memory under a spray from many addresses.</summary>
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (source, times) in _failures)
        {
            lock (times)
            {
                Prune(times, now);
                if (times.Count == 0) _failures.TryRemove(source, out _);
            }
        }
    }
}
