using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Lifecycle;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>What <c>/healthz</c> answers in each state of the node and its store, and the bounded labels of the login counter.</summary>
public sealed class NodeHealthTests
{
    [Fact]
    public async Task Not_ready_until_listening_ready_while_the_store_answers_and_draining_from_the_stop_request_on()
    {
        var health = new NodeHealth();
        Assert.Equal((false, "starting"), await health.CheckAsync(CancellationToken.None));

        health.Ready(_ => Task.CompletedTask);
        Assert.Equal((true, "ready"), await health.CheckAsync(CancellationToken.None));

        health.Draining();
        Assert.Equal((false, "draining"), await health.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_store_that_fails_is_unavailable_and_the_reason_tells_nothing_of_the_exception()
    {
        var health = new NodeHealth();
        health.Ready(_ => throw new InvalidOperationException("Host=db.internal;Password=secret"));

        var (ready, reason) = await health.CheckAsync(CancellationToken.None);

        Assert.False(ready);
        Assert.Equal("metadata store unavailable", reason);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unhealthy_within_the_probe_timeout()
    {
        var health = new NodeHealth();
        health.Ready(ct => Task.Delay(Timeout.Infinite, ct));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (ready, reason) = await health.CheckAsync(CancellationToken.None);

        Assert.False(ready);
        Assert.Equal("metadata store not answering", reason);
        Assert.True(clock.Elapsed < NodeHealth.ProbeTimeout + TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("wrong verification code", "wrong verification code")]
    [InlineData("wrong verification code (the same code again)", "wrong verification code")]
    [InlineData("account locked until 2026-11-30 17:00:00Z", "account locked")]
    [InlineData("certificate: expired at 2026-01-01", "certificate")]
    [InlineData("user name with \u001b[31m control characters", "other")]
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    public void Login_failure_reasons_become_a_small_fixed_set_of_labels(string? reason, string label) =>
        Assert.Equal(label, FumidaiMetrics.ReasonLabel(reason));

    [Theory]
    [InlineData("127.0.0.1:9090", true)]
    [InlineData("127.0.0.1:0", true)]
    [InlineData("[::1]:9090", true)]
    [InlineData("localhost:9090", false)]
    [InlineData("9090", false)]
    [InlineData("127.0.0.1:", false)]
    [InlineData("nonsense", false)]
    public void Health_listen_must_be_an_address_and_port(string listen, bool valid) =>
        Assert.Equal(valid, !new HealthOptions { Listen = listen }.Validate().Any());
}
