namespace Fumidai.Ssh.Server;

/// <summary>
/// The bounded pool of connections that have not authenticated yet, shared fairly between sources (<see cref="SourceKey"/>).
/// </summary>
/// <remarks>
/// While there is room anyone gets in, so a burst from one automation host is never refused when nobody else is waiting.
/// When the pool is full and the source holding the most slots holds more than one beyond what the newcomer's source
/// would, its oldest connection is evicted to make room: one address filling the pool cannot keep another address out,
/// and the shares converge to within one of each other. Otherwise the newcomer waits (<see cref="AdmitAsync"/>) in a
/// bounded queue for the next slot given back, which goes to the waiter whose source holds the fewest, oldest first; a
/// burst larger than the pool is thus served in turn instead of refused.
/// </remarks>
public sealed class PreAuthenticationPool
{
    private readonly int _capacity;
    private readonly int _maxWaiting;
    private readonly Dictionary<string, LinkedList<Slot>> _bySource = [];
    private readonly LinkedList<Waiter> _waiting = new();
    private readonly object _lock = new();
    private long _order;
    private int _count;

    /// <param name="maxWaiting">Connections that may wait for a slot at once; 0 refuses as soon as the pool is full.</param>
    public PreAuthenticationPool(int capacity, int maxWaiting = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWaiting);
        _capacity = capacity;
        _maxWaiting = maxWaiting;
    }

    /// <summary>Connections waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _waiting.Count;
        }
    }

    private sealed record Waiter(string Source, long Order, TaskCompletionSource<Slot?> Admitted);

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

    /// <summary>Takes a slot for a connection from <paramref name="source"/> without waiting; null when there is none for it now.</summary>
    /// <param name="evicted">The connection that gave its slot up (its <see cref="Slot.Evicted"/> has fired), if any.</param>
    public Slot? TryAdmit(string source, out Slot? evicted)
    {
        Slot? slot;
        lock (_lock) slot = TryAdmitLocked(source, out evicted);
        // Outside the lock: cancellation runs the evicted connection's callbacks on this thread.
        evicted?.Evict();
        return slot;
    }

    /// <summary>
    /// Takes a slot for a connection from <paramref name="source"/>, waiting up to <paramref name="wait"/> in the queue when
    /// the pool is full; a null slot when the queue is full too, or the wait ran out.
    /// </summary>
    public async ValueTask<(Slot? Slot, Slot? Evicted)> AdmitAsync(string source, TimeSpan wait, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        LinkedListNode<Waiter>? node = null;
        Slot? slot, evicted;
        lock (_lock)
        {
            slot = TryAdmitLocked(source, out evicted);
            if (slot is null && _waiting.Count < _maxWaiting)
            {
                waiter = new Waiter(source, _order++, new TaskCompletionSource<Slot?>(TaskCreationOptions.RunContinuationsAsynchronously));
                node = _waiting.AddLast(waiter);
            }
        }
        // Outside the lock, as in TryAdmit.
        evicted?.Evict();
        if (waiter is null || node is null) return (slot, evicted);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return (await waiter.Admitted.Task.WaitAsync(timeout.Token).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                    _waiting.Remove(node);
                else if (waiter.Admitted.Task.IsCompletedSuccessfully && waiter.Admitted.Task.Result is { } granted)
                    ReleaseLocked(granted); // granted in the same instant it gave up: pass it on
            }
            if (cancellationToken.IsCancellationRequested) throw;
            return (null, null);
        }
    }

    /// <summary>Gives the slot back (the connection authenticated or ended); releasing twice is harmless.</summary>
    public void Release(Slot slot)
    {
        lock (_lock) ReleaseLocked(slot);
    }

    private void ReleaseLocked(Slot slot)
    {
        if (slot.Node is null) return;
        RemoveLocked(slot);
        if (_waiting.First is null) return;
        // The waiter whose source holds the fewest slots, oldest first among equals.
        var chosen = _waiting.First;
        for (var n = chosen.Next; n is not null; n = n.Next)
            if (CountOfLocked(n.Value.Source) < CountOfLocked(chosen.Value.Source))
                chosen = n;
        _waiting.Remove(chosen);
        // The continuation runs asynchronously, so completing under the lock cannot re-enter it.
        chosen.Value.Admitted.TrySetResult(AddLocked(chosen.Value.Source));
    }

    private Slot? TryAdmitLocked(string source, out Slot? evicted)
    {
        evicted = null;
        if (_count >= _capacity)
        {
            int own = CountOfLocked(source);
            var largest = _bySource.Values.OrderByDescending(l => l.Count).ThenBy(l => l.First!.Value.Order).First();
            if (own + 1 >= largest.Count) return null;
            evicted = largest.First!.Value;
            RemoveLocked(evicted);
        }
        return AddLocked(source);
    }

    private Slot AddLocked(string source)
    {
        var slot = new Slot(source, _order++);
        if (!_bySource.TryGetValue(source, out var list)) _bySource[source] = list = new LinkedList<Slot>();
        slot.Node = list.AddLast(slot);
        _count++;
        return slot;
    }

    private int CountOfLocked(string source) => _bySource.TryGetValue(source, out var list) ? list.Count : 0;

    /// <summary>The number of slots a source holds.</summary>
    public int CountOf(string source)
    {
        lock (_lock) return CountOfLocked(source);
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
