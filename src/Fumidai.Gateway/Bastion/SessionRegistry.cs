using System.Collections.Concurrent;

namespace Fumidai.Gateway.Bastion;

/// <summary>The sessions running on this node, so a drain can wait for each to finish its recording.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, Task> _running = new();

    public int Count => _running.Count;

    public void Add(string id, Task completion)
    {
        _running[id] = completion;
        _ = completion.ContinueWith(_ => _running.TryRemove(id, out Task? _), TaskScheduler.Default);
    }

    public Task WhenAllAsync(TimeSpan timeout) => Task.WhenAll(_running.Values).WaitAsync(timeout);
}
