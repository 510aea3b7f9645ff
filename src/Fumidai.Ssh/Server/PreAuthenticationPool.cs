namespace Fumidai.Ssh.Server;

/// <summary>
/// The bounded pool of connections that have not authenticated yet, shared fairly between sources (<see cref="SourceKey"/>).
/// </summary>
/// <remarks>
/// While there is room anyone gets in, so a burst from one automation host is never refused when nobody else is waiting.
/// When the pool is full, the source holding the most slots gives one up: if the newcomer's own source holds as many as
/// any other, the newcomer is refused; otherwise the oldest connection of the largest holder is evicted to make room.
/// One address filling the pool therefore cannot keep another address out, and the shares converge to equal.
/// </remarks>
public sealed class PreAuthenticationPool
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedList<Slot>> _bySource = [];
    private readonly object _lock = new();
    private long _order;
    private int _count;

    public PreAuthenticationPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock) return _count;
        }
    }

    /// <summary>One connection's place in the pool; <see cref="Evicted"/> fires when another source needs it.</summary>
    public sealed class Slot
    {
        private readonly CancellationTokenSource _eviction = new();

        internal Slot(string source, long order)
        {
            Source = source;
            Order = order;
        }

        public string Source { get; }

        /// <summary>Arrival order: lower is older.</summary>
        public long Order { get; }

        public CancellationToken Evicted => _eviction.Token;

        internal LinkedListNode<Slot>? Node { get; set; }

        internal void Evict() => _eviction.Cancel();
    }

    /// <summary>Takes a slot for a connection from <paramref name="source"/>; null when it is refused.</summary>
    /// <param name="evicted">The connection that gave its slot up (its <see cref="Slot.Evicted"/> has fired), if any.</param>
    public Slot? TryAdmit(string source, out Slot? evicted)
    {
        evicted = null;
        Slot slot;
        lock (_lock)
        {
            if (_count >= _capacity)
            {
                int own = _bySource.TryGetValue(source, out var mine) ? mine.Count : 0;
                var largest = _bySource.Values.OrderByDescending(l => l.Count).ThenBy(l => l.First!.Value.Order).First();
                if (own >= largest.Count) return null;
                evicted = largest.First!.Value;
                RemoveLocked(evicted);
            }
            slot = new Slot(source, _order++);
            if (!_bySource.TryGetValue(source, out var list)) _bySource[source] = list = new LinkedList<Slot>();
            slot.Node = list.AddLast(slot);
            _count++;
        }
        // Outside the lock: cancellation runs the evicted connection's callbacks on this thread.
        evicted?.Evict();
        return slot;
    }

    /// <summary>Gives the slot back (the connection authenticated or ended); releasing twice is harmless.</summary>
    public void Release(Slot slot)
    {
        lock (_lock) RemoveLocked(slot);
    }

    /// <summary>The number of slots a source holds.</summary>
    public int CountOf(string source)
    {
        lock (_lock) return _bySource.TryGetValue(source, out var list) ? list.Count : 0;
    }

    private void RemoveLocked(Slot slot)
    {
        if (slot.Node is not { } node) return;
        var list = node.List!;
        list.Remove(node);
        slot.Node = null;
        _count--;
        if (list.Count == 0) _bySource.Remove(slot.Source);
    }
}
