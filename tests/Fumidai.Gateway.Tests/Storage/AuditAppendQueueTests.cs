using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>Group commit of audit appends: batching, order, failures and cancellation, against a writer the test controls.</summary>
public sealed class AuditAppendQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static AuditEvent Event(int i) => new(DateTimeOffset.UnixEpoch, "t" + i, null, "info", null, null, new Dictionary<string, string>());

    /// <summary>A writer that records each batch and holds it until the test releases it.</summary>
    private sealed class GatedWriter
    {
        private readonly List<(IReadOnlyList<AuditEvent> Batch, TaskCompletionSource Release)> _batches = [];
        private readonly SemaphoreSlim _arrived = new(0);
        private long _sequence;

        public Exception? FailNext { get; set; }

        public async Task<IReadOnlyList<AuditEvent>> WriteAsync(IReadOnlyList<AuditEvent> batch)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_batches) _batches.Add((batch, release));
            _arrived.Release();
            await release.Task;
            if (FailNext is { } failure)
            {
                FailNext = null;
                throw failure;
            }
            return [.. batch.Select(e => e with { Sequence = Interlocked.Increment(ref _sequence) })];
        }

        public async Task<IReadOnlyList<AuditEvent>> NextBatchAsync()
        {
            Assert.True(await _arrived.WaitAsync(Patience), "no batch was written");
            lock (_batches) return _batches[^1].Batch;
        }

        public void ReleaseLast()
        {
            lock (_batches) _batches[^1].Release.SetResult();
        }

        public int Count
        {
            get { lock (_batches) return _batches.Count; }
        }
    }

    [Fact]
    public async Task Events_that_wait_while_a_batch_is_written_go_together_in_the_next_in_arrival_order()
    {
        var writer = new GatedWriter();
        var queue = new AuditAppendQueue(writer.WriteAsync);
        var first = queue.AppendAsync(Event(0), default);
        Assert.Equal(["t0"], (await writer.NextBatchAsync()).Select(e => e.Type));
        var waiting = Enumerable.Range(1, 5).Select(i => queue.AppendAsync(Event(i), default)).ToArray();
        writer.ReleaseLast();
        Assert.Equal(1, (await first.WaitAsync(Patience)).Sequence);

        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], (await writer.NextBatchAsync()).Select(e => e.Type));
        writer.ReleaseLast();
        var stored = await Task.WhenAll(waiting).WaitAsync(Patience);
        Assert.Equal([2L, 3, 4, 5, 6], stored.Select(e => e.Sequence));
        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], stored.Select(e => e.Type));
        Assert.Equal(2, writer.Count);
    }

    [Fact]
    public async Task A_failed_batch_fails_every_caller_in_it_and_the_next_batch_is_written()
    {
        var writer = new GatedWriter();
        var queue = new AuditAppendQueue(writer.WriteAsync);
        var blocker = queue.AppendAsync(Event(0), default);
        await writer.NextBatchAsync();
        var doomed = Enumerable.Range(1, 3).Select(i => queue.AppendAsync(Event(i), default)).ToArray();
        writer.ReleaseLast();
        await blocker.WaitAsync(Patience);

        Assert.Equal(3, (await writer.NextBatchAsync()).Count);
        writer.FailNext = new InvalidOperationException("database gone");
        writer.ReleaseLast();
        foreach (var task in doomed)
            Assert.Equal("database gone", (await Assert.ThrowsAsync<InvalidOperationException>(() => task.WaitAsync(Patience))).Message);

        var after = queue.AppendAsync(Event(9), default);
        Assert.Equal(["t9"], (await writer.NextBatchAsync()).Select(e => e.Type));
        writer.ReleaseLast();
        Assert.Equal("t9", (await after.WaitAsync(Patience)).Type);
    }

    [Fact]
    public async Task A_caller_cancelled_while_waiting_is_left_out_and_one_cancelled_inside_a_batch_does_not_stop_it()
    {
        var writer = new GatedWriter();
        var queue = new AuditAppendQueue(writer.WriteAsync);
        using var insideBatch = new CancellationTokenSource();
        var inside = queue.AppendAsync(Event(0), insideBatch.Token);
        var sameBatch = queue.AppendAsync(Event(1), default);
        var batch = await writer.NextBatchAsync();
        Assert.Contains(batch, e => e.Type == "t0");

        using var waiting = new CancellationTokenSource();
        var withdrawn = queue.AppendAsync(Event(2), waiting.Token);
        var kept = queue.AppendAsync(Event(3), default);
        waiting.Cancel();
        insideBatch.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inside.WaitAsync(Patience));
        if (batch.Count == 1)
        {
            // t1 arrived after the writer took t0: it waits with t3 for the next batch.
            writer.ReleaseLast();
            Assert.Equal(["t1", "t3"], (await writer.NextBatchAsync()).Select(e => e.Type));
        }
        else
        {
            writer.ReleaseLast();
            Assert.Equal(["t3"], (await writer.NextBatchAsync()).Select(e => e.Type));
        }
        writer.ReleaseLast();
        Assert.Equal("t1", (await sameBatch.WaitAsync(Patience)).Type);
        Assert.Equal("t3", (await kept.WaitAsync(Patience)).Type);
    }

    [Fact]
    public async Task A_batch_holds_at_most_the_limit_and_the_rest_follows_in_order()
    {
        var writer = new GatedWriter();
        var queue = new AuditAppendQueue(writer.WriteAsync);
        var blocker = queue.AppendAsync(Event(-1), default);
        await writer.NextBatchAsync();
        var many = Enumerable.Range(0, AuditAppendQueue.MaxBatch + 7).Select(i => queue.AppendAsync(Event(i), default)).ToArray();
        writer.ReleaseLast();
        Assert.Equal(AuditAppendQueue.MaxBatch, (await writer.NextBatchAsync()).Count);
        writer.ReleaseLast();
        Assert.Equal(Enumerable.Range(AuditAppendQueue.MaxBatch, 7).Select(i => "t" + i), (await writer.NextBatchAsync()).Select(e => e.Type));
        writer.ReleaseLast();
        var stored = await Task.WhenAll(many).WaitAsync(Patience);
        Assert.Equal(stored.Select(e => e.Sequence).Order(), stored.Select(e => e.Sequence));
        await blocker;
    }
}
