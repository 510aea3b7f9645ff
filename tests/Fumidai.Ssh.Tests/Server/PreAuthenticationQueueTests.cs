using Fumidai.Ssh.Server;

namespace Fumidai.Ssh.Tests.Server;

/// <summary>Past the unauthenticated pool's capacity, connections wait for a slot in a bounded queue instead of being refused.</summary>
public sealed class PreAuthenticationQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_newcomer_the_full_pool_would_refuse_waits_and_gets_the_next_released_slot()
    {
        var pool = new PreAuthenticationPool(2, maxWaiting: 10);
        var held = new[] { pool.TryAdmit("a", out _)!, pool.TryAdmit("a", out _)! };

        var waiting = pool.AdmitAsync("a", Long, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, pool.Waiting);

        pool.Release(held[0]);
        var (slot, evicted) = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(slot);
        Assert.Null(evicted);
        Assert.Equal(2, pool.Count);
        Assert.Equal(0, pool.Waiting);
    }

    [Fact]
    public async Task A_waiter_gives_up_after_its_time_and_leaves_the_queue()
    {
        var pool = new PreAuthenticationPool(1, maxWaiting: 10);
        pool.TryAdmit("a", out _);
        var (slot, _) = await pool.AdmitAsync("a", TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Null(slot);
        Assert.Equal(0, pool.Waiting);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_its_slot_goes_to_the_next()
    {
        var pool = new PreAuthenticationPool(1, maxWaiting: 10);
        var held = pool.TryAdmit("a", out _)!;
        using var cancel = new CancellationTokenSource();
        var first = pool.AdmitAsync("a", Long, cancel.Token).AsTask();
        var second = pool.AdmitAsync("a", Long, CancellationToken.None).AsTask();
        await Task.Delay(50);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        pool.Release(held);
        Assert.NotNull((await second.WaitAsync(TimeSpan.FromSeconds(5))).Slot);
        Assert.Equal(0, pool.Waiting);
    }

    [Fact]
    public async Task The_queue_is_bounded_past_it_a_newcomer_is_refused_at_once()
    {
        var pool = new PreAuthenticationPool(1, maxWaiting: 2);
        pool.TryAdmit("a", out _);
        var w1 = pool.AdmitAsync("a", Long, CancellationToken.None).AsTask();
        var w2 = pool.AdmitAsync("a", Long, CancellationToken.None).AsTask();
        var refused = await pool.AdmitAsync("a", Long, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(refused.Slot);
        Assert.False(w1.IsCompleted);
        Assert.False(w2.IsCompleted);
        Assert.Equal(2, pool.Waiting);
    }

    [Fact]
    public async Task A_freed_slot_goes_to_the_waiter_whose_source_holds_the_fewest()
    {
        var pool = new PreAuthenticationPool(3, maxWaiting: 10);
        var a1 = pool.TryAdmit("a", out _)!;
        pool.TryAdmit("a", out _);
        pool.TryAdmit("b", out _);
        // a holds 2 and b 1, so the pool cannot make room by eviction for either: both wait.
        var fromA = pool.AdmitAsync("a", Long, CancellationToken.None).AsTask();
        await Task.Delay(20);
        var fromB = pool.AdmitAsync("b", Long, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.Equal(2, pool.Waiting);

        pool.Release(a1);
        // Now a holds 1 and b 1: the older waiter (a) gets it.
        Assert.NotNull((await fromA.WaitAsync(TimeSpan.FromSeconds(5))).Slot);
        Assert.False(fromB.IsCompleted);
        pool.Release(pool.TryAdmit("x", out _) ?? throw new InvalidOperationException("x should evict a"));
        // a lost its oldest to x; with a at 1 and b at 1 again, b gets the next free slot.
        Assert.NotNull((await fromB.WaitAsync(TimeSpan.FromSeconds(5))).Slot);
    }

    [Fact]
    public async Task Many_sources_with_one_connection_each_wait_rather_than_evict_each_other()
    {
        // A burst from many addresses: nobody holds more than its share, so nobody is cut to make room.
        var pool = new PreAuthenticationPool(3, maxWaiting: 10);
        var held = new[] { pool.TryAdmit("s1", out _)!, pool.TryAdmit("s2", out _)!, pool.TryAdmit("s3", out _)! };
        var waiting = pool.AdmitAsync("s4", Long, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.All(held, s => Assert.False(s.Evicted.IsCancellationRequested));
        pool.Release(held[1]);
        Assert.NotNull((await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Slot);
    }

    [Fact]
    public async Task A_source_holding_more_than_one_slot_beyond_the_newcomer_still_loses_its_oldest_at_once()
    {
        var pool = new PreAuthenticationPool(3, maxWaiting: 10);
        var a = new[] { pool.TryAdmit("a", out _)!, pool.TryAdmit("a", out _)!, pool.TryAdmit("a", out _)! };
        var (slot, evicted) = await pool.AdmitAsync("b", Long, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(slot);
        Assert.Same(a[0], evicted);
        Assert.True(a[0].Evicted.IsCancellationRequested);
    }
}
