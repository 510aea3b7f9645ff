using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Fumidai.Gateway.Tests.Bastion;

public sealed class IdleMonitorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_idle_session_wakes_the_monitor_only_at_its_deadlines_not_every_second()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int checks = 0;
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), null, clock) { Busy = () => { Interlocked.Increment(ref checks); return false; } };
        var warnings = new List<string>();
        var run = monitor.WaitAsync(text => { lock (warnings) warnings.Add(text); return Task.CompletedTask; }, CancellationToken.None);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(10));
        // Ten idle minutes with a 15-minute limit: nothing is due, so the monitor must not have run its checks each second.
        Assert.InRange(Volatile.Read(ref checks), 1, 3);
        Assert.False(run.IsCompleted);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(4));
        Assert.Single(warnings);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.IdleTimeout, await run.WaitAsync(Wait));
        Assert.InRange(Volatile.Read(ref checks), 1, 6);
    }

    [Fact]
    public async Task Input_after_the_warning_postpones_the_end_and_the_next_warning_by_a_whole_limit()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), null, clock);
        var warnings = new List<string>();
        var run = monitor.WaitAsync(text => { lock (warnings) warnings.Add(text); return Task.CompletedTask; }, CancellationToken.None);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(14.5));
        Assert.Single(warnings);
        monitor.Touch();
        await AdvanceAsync(clock, TimeSpan.FromMinutes(13));
        Assert.False(run.IsCompleted);
        Assert.Single(warnings);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1.25));
        Assert.Equal(2, warnings.Count);
        Assert.False(run.IsCompleted);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.IdleTimeout, await run.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_busy_connection_is_never_idle_and_counts_from_when_it_stopped_being_busy()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        bool busy = true;
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), null, clock) { Busy = () => Volatile.Read(ref busy) };
        var run = monitor.WaitAsync(_ => Task.CompletedTask, CancellationToken.None);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(40));
        Assert.False(run.IsCompleted);
        Volatile.Write(ref busy, false);
        monitor.Touch();
        await AdvanceAsync(clock, TimeSpan.FromMinutes(14.5));
        Assert.False(run.IsCompleted);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.IdleTimeout, await run.WaitAsync(Wait));
    }

    [Fact]
    public async Task The_maximum_session_time_ends_a_session_that_keeps_typing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), clock);
        var warnings = new List<string>();
        var run = monitor.WaitAsync(text => { lock (warnings) warnings.Add(text); return Task.CompletedTask; }, CancellationToken.None);
        for (int minute = 0; minute < 28; minute++)
        {
            await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
            monitor.Touch();
        }
        Assert.False(run.IsCompleted);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1.5));
        Assert.Contains(warnings, w => w.StartsWith("maximum session time", StringComparison.Ordinal));
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.MaxSession, await run.WaitAsync(Wait));
    }

    /// <summary>Moves the fake clock in one-second steps, letting the monitor's continuation run between them.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider clock, TimeSpan by)
    {
        var step = TimeSpan.FromSeconds(1);
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            clock.Advance(step);
            if ((int)moved.TotalSeconds % 30 == 0) await Task.Delay(1);
        }
        await Task.Delay(50);
    }
}
