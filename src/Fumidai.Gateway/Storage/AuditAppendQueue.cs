using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

/// <summary>
/// Group commit of audit appends within one process: one writer takes every event waiting at that moment and appends them
/// in one transaction, under one chain lock, with one commit; each caller still awaits its own event's durable append.
/// </summary>
/// <remarks>
/// On PostgreSQL the chain lock is held across a commit that the server flushes to disk, so appends one by one were
/// serialised behind one flush each, on every node. Events keep the order they arrived in; a batch that fails fails every
/// caller in it and leaves the chain as it was. A caller whose token fires before its event is taken is dropped from the
/// queue; once taken, the batch is written for the others whatever that caller does.
/// </remarks>
internal sealed class AuditAppendQueue
{
    // A bound on one transaction's statement (nine parameters per event stays under SQLite's oldest limit of 999).
    internal const int MaxBatch = 100;

    private readonly Func<IReadOnlyList<AuditEvent>, Task<IReadOnlyList<AuditEvent>>> _writeBatch;
    private readonly Lock _gate = new();
    private List<Pending> _waiting = [];
    private bool _writing;

    /// <param name="writeBatch">Appends the events in order in one transaction and returns them stored, in the same order.</param>
    public AuditAppendQueue(Func<IReadOnlyList<AuditEvent>, Task<IReadOnlyList<AuditEvent>>> writeBatch) => _writeBatch = writeBatch;

    public async Task<AuditEvent> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(auditEvent);
        bool start;
        lock (_gate)
        {
            _waiting.Add(pending);
            start = !_writing;
            _writing = true;
        }
        if (start) _ = Task.Run(DrainAsync, CancellationToken.None);
        try
        {
            return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Withdrawn if not taken yet; if taken, the batch goes on for the others and this event may be stored all the
            // same, as when a single append was cancelled during its commit.
            pending.TryCancel();
            throw;
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Pending> taken;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }
                if (_waiting.Count <= MaxBatch)
                {
                    taken = _waiting;
                    _waiting = [];
                }
                else
                {
                    taken = _waiting.GetRange(0, MaxBatch);
                    _waiting.RemoveRange(0, MaxBatch);
                }
            }
            var batch = taken.Where(p => p.TryTake()).ToList();
            if (batch.Count == 0) continue;
            try
            {
                var stored = await _writeBatch([.. batch.Select(p => p.Event)]).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(stored[i]);
            }
            catch (Exception ex)
            {
                foreach (var p in batch) p.Completion.TrySetException(ex);
            }
        }
    }

    private sealed class Pending(AuditEvent auditEvent)
    {
        private const int Waiting = 0, Taken = 1, Cancelled = 2;
        private int _state;

        public AuditEvent Event { get; } = auditEvent;

        public TaskCompletionSource<AuditEvent> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        // Only an event not yet taken can be withdrawn: one in a batch is written, and its caller learns the outcome.
        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting) Completion.TrySetCanceled();
        }
    }
}
