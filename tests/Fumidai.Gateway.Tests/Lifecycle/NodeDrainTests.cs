using System.Diagnostics;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Lifecycle;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>
/// The node's side of a stop, in-process: sessions are stand-ins registered like real ones, which end on their own, at
/// the cut, or never; the drain must wait for them, cut them at the deadline or at the second request, and stay bounded.
/// </summary>
public sealed class NodeDrainTests
{
    // Timers may fire a millisecond or so before the stopwatch shows their delay: measured 999.65 ms for two 500 ms waits.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A stand-in session that ends when <paramref name="endsWhen"/> is cancelled (after a short wind-down), or never.</summary>
    private static TaskCompletionSource RegisterSession(SessionRegistry sessions, string id, CancellationToken? endsWhen)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        endsWhen?.Register(() => _ = Task.Delay(100).ContinueWith(_ => ended.TrySetResult(), TaskScheduler.Default));
        sessions.Add(id, ended.Task);
        return ended;
    }

    [Fact]
    public async Task Sessions_that_end_when_told_are_not_cut()
    {
        var sessions = new SessionRegistry();
        using var draining = new CancellationTokenSource();
        using var cut = new CancellationTokenSource();
        RegisterSession(sessions, "a", draining.Token);
        RegisterSession(sessions, "b", draining.Token);
        var clock = Stopwatch.StartNew();

        var result = await new NodeDrain(sessions, NullLogger.Instance) { Timeout = TimeSpan.FromSeconds(30) }.RunAsync(draining, cut).WaitAsync(Bound);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(draining.IsCancellationRequested);
        Assert.False(cut.IsCancellationRequested);
        Assert.Equal(new DrainResult(2, 0, false, 0), result);
    }

    [Fact]
    public async Task A_session_still_running_at_the_deadline_runs_until_then_and_is_cut()
    {
        var sessions = new SessionRegistry();
        using var draining = new CancellationTokenSource();
        using var cut = new CancellationTokenSource();
        var finishes = RegisterSession(sessions, "finishes", draining.Token);
        var runs = RegisterSession(sessions, "runs", cut.Token);
        var timeout = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();

        var drain = new NodeDrain(sessions, NullLogger.Instance) { Timeout = timeout }.RunAsync(draining, cut);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.True(draining.IsCancellationRequested);
        Assert.True(finishes.Task.IsCompleted);
        Assert.False(cut.IsCancellationRequested, "cut before the deadline");
        Assert.False(runs.Task.IsCompleted);
        Assert.False(drain.IsCompleted);
        var result = await drain.WaitAsync(Bound);
        Assert.True(clock.Elapsed >= timeout - TimerSlack, $"returned after {clock.Elapsed}, before the deadline");
        Assert.True(cut.IsCancellationRequested);
        Assert.Equal(new DrainResult(2, 1, false, 0), result);
    }

    [Fact]
    public async Task A_second_stop_request_cuts_at_once()
    {
        var sessions = new SessionRegistry();
        using var requests = new StopRequests();
        using var draining = new CancellationTokenSource();
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(requests.Cut);
        RegisterSession(sessions, "runs", cut.Token);
        requests.Request();
        await Task.Delay(200);
        Assert.True(requests.Drain.IsCancellationRequested);
        Assert.False(requests.Cut.IsCancellationRequested, "one request already cut");

        var drain = new NodeDrain(sessions, NullLogger.Instance) { Timeout = TimeSpan.FromMinutes(5) }.RunAsync(draining, cut);
        await Task.Delay(500);
        Assert.False(drain.IsCompleted);
        var clock = Stopwatch.StartNew();
        requests.Request();
        var result = await drain.WaitAsync(Bound);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed} after the second request");
        Assert.Equal(2, requests.Count);
        Assert.Equal(new DrainResult(1, 1, true, 0), result);
    }

    [Fact]
    public async Task A_session_that_ignores_the_cut_holds_the_stop_only_for_the_finalise_time()
    {
        var sessions = new SessionRegistry();
        using var draining = new CancellationTokenSource();
        using var cut = new CancellationTokenSource();
        var stuck = RegisterSession(sessions, "stuck", null);
        var clock = Stopwatch.StartNew();

        var result = await new NodeDrain(sessions, NullLogger.Instance)
        {
            Timeout = TimeSpan.FromMilliseconds(500),
            FinaliseTimeout = TimeSpan.FromMilliseconds(500),
        }.RunAsync(draining, cut).WaitAsync(Bound);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1) - TimerSlack, $"returned after {clock.Elapsed}");
        Assert.Equal(new DrainResult(1, 1, false, 1), result);
        stuck.SetResult();
    }

    [Fact]
    public async Task A_session_that_fails_counts_as_ended()
    {
        var sessions = new SessionRegistry();
        using var draining = new CancellationTokenSource();
        using var cut = new CancellationTokenSource();
        var failing = RegisterSession(sessions, "fails", null);
        draining.Token.Register(() => failing.TrySetException(new IOException("target gone")));

        var result = await new NodeDrain(sessions, NullLogger.Instance) { Timeout = TimeSpan.FromSeconds(30) }.RunAsync(draining, cut).WaitAsync(Bound);

        Assert.Equal(new DrainResult(1, 0, false, 0), result);
    }

    [Fact]
    public async Task With_no_session_the_drain_ends_at_once()
    {
        using var draining = new CancellationTokenSource();
        using var cut = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();

        var result = await new NodeDrain(new SessionRegistry(), NullLogger.Instance) { Timeout = TimeSpan.FromMinutes(5) }
            .RunAsync(draining, cut).WaitAsync(Bound);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal(new DrainResult(0, 0, false, 0), result);
        Assert.True(draining.IsCancellationRequested);
    }
}
