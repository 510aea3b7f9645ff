using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Bastion;
using Microsoft.Extensions.Time.Testing;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The idle timer warns, then fires; input re-arms it; the warning lead is a minute or half the limit.</summary>
/// <remarks>Driven by a fake clock, so the assertions do not depend on how busy the machine is.</remarks>
public sealed class IdleMonitorTests
{
    private static async Task UntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
    }

    [Fact]
    public void Warning_lead_is_a_minute_or_half_of_short_limits()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), IdleMonitor.WarningLead(TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.FromSeconds(30), IdleMonitor.WarningLead(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Input_keeps_the_session_alive_then_it_warns_and_closes()
    {
        var time = new FakeTimeProvider();
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), null, time);
        var warnings = new List<string>();
        var wait = monitor.WaitAsync(m => { lock (warnings) warnings.Add(m); return Task.CompletedTask; }, CancellationToken.None);
        for (int minute = 0; minute < 30; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            monitor.Touch();
            await Task.Delay(5);
        }
        Assert.False(wait.IsCompleted);
        Assert.Empty(warnings);
        time.Advance(TimeSpan.FromMinutes(14) + TimeSpan.FromSeconds(10));
        await UntilAsync(() => { lock (warnings) return warnings.Count > 0; });
        Assert.Contains("idle", Assert.Single(warnings));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.IdleTimeout, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_connection_is_not_idle_while_busy_and_is_cut_once_idle_after_that()
    {
        // A connection with a session running is busy; once the session ends its idle time starts.
        var time = new FakeTimeProvider();
        bool busy = true;
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(15), null, time) { Busy = () => Volatile.Read(ref busy) };
        var wait = monitor.WaitAsync(_ => Task.CompletedTask, CancellationToken.None);
        for (int minute = 0; minute < 40; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(5);
        }
        Assert.False(wait.IsCompleted);
        Volatile.Write(ref busy, false);
        time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        for (int step = 0; step < 20 && !wait.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20);
        }
        Assert.Equal(SessionEndReason.IdleTimeout, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Output_alone_does_not_count_as_activity()
    {
        // Nothing calls Touch: only operator input does, in ChannelRelay.
        var time = new FakeTimeProvider();
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(2), null, time);
        var wait = monitor.WaitAsync(_ => Task.CompletedTask, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Task.Delay(20);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SessionEndReason.IdleTimeout, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Maximum_session_time_ends_even_a_busy_session()
    {
        var time = new FakeTimeProvider();
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), time);
        var warnings = new List<string>();
        var wait = monitor.WaitAsync(m => { lock (warnings) warnings.Add(m); return Task.CompletedTask; }, CancellationToken.None);
        for (int minute = 0; minute < 59; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            monitor.Touch();
            await Task.Delay(5);
        }
        await UntilAsync(() => { lock (warnings) return warnings.Count > 0; });
        Assert.Contains("maximum session time", Assert.Single(warnings));
        time.Advance(TimeSpan.FromMinutes(1));
        monitor.Touch();
        Assert.Equal(SessionEndReason.MaxSession, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
