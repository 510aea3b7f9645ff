using System.Net;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>A bastion whose heartbeat is frequent (so the heartbeat counter moves within a test) and whose drain is short.</summary>
public sealed class HealthBastion : IAsyncLifetime
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(8);

    public BastionHarness Harness { get; } = new()
    {
        BastionEnvironment =
        {
            ["FUMIDAI__Sessions__DrainTimeout"] = $"{DrainTimeout.TotalSeconds}s",
            ["FUMIDAI__Node__HeartbeatInterval"] = "1s",
            ["FUMIDAI__Node__Name"] = "health-node",
        },
    };

    public Task InitializeAsync() => Harness.InitializeAsync();

    public Task DisposeAsync() => Harness.DisposeAsync();
}

/// <summary>
/// The health listener of a real <c>fumidai serve</c> (console off), asked over HTTP as a load balancer and Prometheus
/// would, around real OpenSSH logins through the bastion to a private sshd.
/// </summary>
public sealed class HealthEndToEndTests(HealthBastion fixture) : IClassFixture<HealthBastion>, IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly BastionHarness _h = fixture.Harness;

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Metrics_show_the_open_session_the_login_counters_by_reason_relayed_bytes_auth_latency_and_heartbeats()
    {
        using var probe = new HealthProbe(await _h.Bastion.HealthUriAsync());
        var refusedOp = await _h.AddOperatorAsync("metered-wrong");
        // A code from long ago: certainly not the current one, so the second factor is refused as wrong.
        var refused = await _h.SshExecAsync(refusedOp, "metered-wrong:web01", "true", await Totp.CodeAsync(refusedOp.Secret, Totp.CurrentStep() - 1000));
        Assert.Equal(255, refused.ExitCode);

        await using var ssh = await _h.OpenWorkingShellAsync("metered");
        var (contentType, text) = await probe.MetricsAsync();

        Assert.StartsWith("text/plain", contentType);
        Assert.Equal(1, HealthProbe.Sample(text, "fumidai_sessions_active", "node=\"health-node\""));
        Assert.True(HealthProbe.Sample(text, "fumidai_logins_total", "outcome=\"ok\"") >= 1, text);
        Assert.True(HealthProbe.Sample(text, "fumidai_logins_total", "outcome=\"failed\"", "reason=\"wrong verification code\"") >= 1, text);
        // Every attempt of both logins is timed: a key and a code at least, for each.
        Assert.True(HealthProbe.Sample(text, "fumidai_auth_duration_seconds_count", "method=\"keyboard-interactive\"") >= 2, text);
        Assert.True(HealthProbe.Sample(text, "fumidai_auth_duration_seconds_bucket", "method=\"publickey\"", "le=\"+Inf\"") >= 2, text);
        Assert.True(HealthProbe.Sample(text, "fumidai_relayed_bytes_total", "direction=\"out\"") > 0, text);
        Assert.True(HealthProbe.Sample(text, "fumidai_relayed_bytes_total", "direction=\"in\"") > 0, text);
        Assert.NotNull(HealthProbe.Sample(text, "fumidai_uploads_pending", "node=\"health-node\""));
        Assert.True(HealthProbe.Sample(text, "fumidai_spool_size_bytes", "node=\"health-node\"") > 0, text);
        Assert.NotNull(HealthProbe.Sample(text, "fumidai_spool_oldest_chunk_age_seconds", "node=\"health-node\""));
        Assert.True(HealthProbe.Sample(text, "fumidai_node_heartbeats_total", "result=\"ok\"") >= 1, text);
        var health = await probe.HealthAsync();
        Assert.Equal((HttpStatusCode.OK, "ready"), health);

        await ssh.TypeAsync("exit\r");
        await ssh.WaitForExitAsync(Short);
        await _h.WaitForSessionAsync("metered", s => s.GetProperty("status").GetString() != "running", "ended");
        // The row is closed before the session leaves the node's registry (its recording is finalised last): ask a few times.
        double? active = null;
        for (int i = 0; i < 50 && active != 0; i++)
        {
            if (i > 0) await Task.Delay(200);
            (_, text) = await probe.MetricsAsync();
            active = HealthProbe.Sample(text, "fumidai_sessions_active", "node=\"health-node\"");
        }
        Assert.Equal(0, active);
    }

    [Fact]
    public async Task Healthz_turns_503_draining_at_sigterm_while_the_open_session_still_works_and_before_it_is_cut()
    {
        var bastion = _h.Bastion;
        using var probe = new HealthProbe(await bastion.HealthUriAsync());
        await using var ssh = await _h.OpenWorkingShellAsync("drained");
        Assert.Equal((HttpStatusCode.OK, "ready"), await probe.HealthAsync());

        bastion.SendTerminate();

        var health = await probe.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, Short);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "draining"), health);
        // Still before the cut: the session answers, and health stays 503 meanwhile.
        int mark = ssh.Output.Length;
        await ssh.TypeAsync("echo STILL_$((2*3))\r");
        await ssh.WaitForAsync("STILL_6", Short, mark);
        Assert.DoesNotContain("cutting", bastion.Log);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.HealthAsync()).Status);
        Assert.True(await bastion.WaitForExitAsync(HealthBastion.DrainTimeout + Short), "serve did not exit after the drain:\n" + bastion.Log);
        Assert.Equal(0, bastion.ExitCode);
    }
}
