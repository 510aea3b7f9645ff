using Fumidai.Gateway.Bastion;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The idle timer warns, then fires; input re-arms it; the warning lead is a minute or half the limit.</summary>
public sealed class IdleMonitorTests
{
    [Fact]
    public void Warning_lead_is_a_minute_or_half_of_short_limits()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), IdleMonitor.WarningLead(TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.FromSeconds(30), IdleMonitor.WarningLead(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Fires_after_the_limit_with_a_warning_first()
    {
        var monitor = new IdleMonitor(TimeSpan.FromMilliseconds(600), null);
        var warnings = new List<string>();
        var reason = await monitor.WaitAsync(m => { warnings.Add(m); return Task.CompletedTask; }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("idle-timeout", reason);
        Assert.Single(warnings);
        Assert.Contains("idle", warnings[0]);
    }

    [Fact]
    public async Task Input_keeps_the_session_alive()
    {
        var monitor = new IdleMonitor(TimeSpan.FromMilliseconds(800), null);
        var wait = monitor.WaitAsync(_ => Task.CompletedTask, CancellationToken.None);
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(200);
            monitor.Touch();
            Assert.False(wait.IsCompleted, $"closed despite input at step {i}");
        }
        Assert.Equal("idle-timeout", await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Maximum_session_time_ends_even_a_busy_session()
    {
        var monitor = new IdleMonitor(TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500));
        using var typing = new CancellationTokenSource();
        var keys = Task.Run(async () =>
        {
            while (!typing.IsCancellationRequested)
            {
                monitor.Touch();
                await Task.Delay(50);
            }
        });
        Assert.Equal("max-session", await monitor.WaitAsync(_ => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        typing.Cancel();
        await keys;
    }
}
