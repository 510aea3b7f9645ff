using System.Diagnostics;
using System.Text.Json;
using Fumidai.Gateway.Tests.Lifecycle;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>A bastion with a short drain, run as systemd would run it: NOTIFY_SOCKET names a socket the test listens on.</summary>
public sealed class DrainBastion : IAsyncLifetime
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(8);

    public DrainBastion()
    {
        Harness = new BastionHarness { BastionEnvironment = { ["FUMIDAI__Sessions__DrainTimeout"] = $"{DrainTimeout.TotalSeconds}s" } };
        Systemd = new NotifySocket(Harness.Directory.Combine("notify"));
        Harness.BastionEnvironment["NOTIFY_SOCKET"] = Systemd.Address;
    }

    public BastionHarness Harness { get; }

    public NotifySocket Systemd { get; }

    public Task InitializeAsync() => Harness.InitializeAsync();

    public async Task DisposeAsync()
    {
        Systemd.Dispose();
        await Harness.DisposeAsync();
    }
}

/// <summary>
/// SIGTERM through a real <c>fumidai serve</c> process: new logins are refused at once, open sessions may run until
/// <c>Sessions:DrainTimeout</c> and are cut then, a second SIGTERM cuts them at once; systemd is told each step.
/// </summary>
public sealed class DrainEndToEndTests(DrainBastion fixture) : IClassFixture<DrainBastion>, IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(20);
    private readonly BastionHarness _h = fixture.Harness;
    private readonly NotifySocket _systemd = fixture.Systemd;

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A login attempted now with Debian's ssh: while the bastion drains, its listener is closed.</summary>
    private async Task<ProcessRunner.Result> TryLoginAsync(string user)
    {
        var op = await _h.AddOperatorAsync(user);
        return await _h.SshExecAsync(op, $"{user}:web01", "echo SHOULD_NOT_RUN", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()),
            timeout: Short);
    }

    [Fact]
    public async Task Under_systemd_serve_says_ready_once_listening_and_stopping_with_the_deadline_when_sigterm_starts_the_drain()
    {
        var bastion = _h.Bastion;
        var ready = await _systemd.WaitForAsync(d => d.Contains($"STATUS=listening on 127.0.0.1:{bastion.Port}\n"), "READY=1 of this bastion", Short);
        Assert.Equal(["READY=1", $"STATUS=listening on 127.0.0.1:{bastion.Port}"], NotifySocket.Lines(ready));
        await using var ssh = await _h.OpenWorkingShellAsync("notified");
        int before = _systemd.Datagrams.Count;
        var clock = Stopwatch.StartNew();

        bastion.SendTerminate();

        var stopping = NotifySocket.Lines(await _systemd.WaitForAsync(d => d.Contains("STOPPING=1"), "STOPPING=1", Short, before));
        Assert.Equal("STOPPING=1", stopping[0]);
        Assert.Matches(@"^STATUS=draining: 1 session\(s\) may run until \d\d:\d\d:\d\dZ$", stopping[1]);
        // Past systemd's own stop timeout if need be: the drain, then the time cut sessions get to seal their recordings.
        Assert.Equal($"EXTEND_TIMEOUT_USEC={(long)(DrainBastion.DrainTimeout + TimeSpan.FromSeconds(10)).TotalMicroseconds}", stopping[2]);
        Assert.True(await bastion.WaitForExitAsync(DrainBastion.DrainTimeout + Margin), "serve did not exit after SIGTERM:\n" + bastion.Log);
        Assert.True(clock.Elapsed < DrainBastion.DrainTimeout + Margin, $"exited {clock.Elapsed} after SIGTERM");
        Assert.Equal(0, bastion.ExitCode);
        Assert.Contains("draining: no new logins; 1 session(s) may run until ", bastion.Log);
        Assert.Contains($"({DrainBastion.DrainTimeout.TotalSeconds}s), then they are cut; a second SIGTERM cuts them now", bastion.Log);
        Assert.Matches(@"(?m) fumidai\[0\] stopped$", bastion.Log);
        await ssh.WaitForExitAsync(Short);
        var session = await _h.WaitForSessionAsync("notified", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("shutdown", session.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task Sigterm_refuses_new_logins_while_an_open_session_keeps_working_until_the_drain_timeout_then_cuts_it()
    {
        await using var ssh = await _h.OpenWorkingShellAsync("outlasts");
        var bastion = _h.Bastion;
        var clock = Stopwatch.StartNew();

        bastion.SendTerminate();

        Assert.True(await bastion.WaitForLogAsync("draining: no new logins; 1 session(s)", Short), bastion.Log);
        var refused = await TryLoginAsync("latecomer");
        Assert.True(refused.ExitCode == 255 && refused.StandardError.Contains("Connection refused"),
            $"a login during the drain: exit {refused.ExitCode}\n{refused.StandardError}");
        Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
        Assert.False(bastion.HasExited, "serve exited before the drain timeout:\n" + bastion.Log);
        int mark = ssh.Output.Length;
        await ssh.TypeAsync("echo STILL_$((2*3))\r");
        await ssh.WaitForAsync("STILL_6", Short, mark);
        Assert.True(clock.Elapsed < DrainBastion.DrainTimeout, $"the check took {clock.Elapsed}: too slow to show the session outlived SIGTERM");
        Assert.Contains("shutting down", ssh.Output);

        int exit = await ssh.WaitForExitAsync(DrainBastion.DrainTimeout + Margin);
        Assert.True(clock.Elapsed >= DrainBastion.DrainTimeout, $"cut {clock.Elapsed} after SIGTERM, before the drain timeout");
        Assert.Equal(143, exit);
        Assert.True(await bastion.WaitForExitAsync(Margin), "serve did not exit after the cut:\n" + bastion.Log);
        Assert.True(clock.Elapsed < DrainBastion.DrainTimeout + Margin, $"exited {clock.Elapsed} after SIGTERM");
        Assert.Equal(0, bastion.ExitCode);
        Assert.Contains($"drain timeout ({DrainBastion.DrainTimeout.TotalSeconds}s) reached: cutting 1 session(s)", bastion.Log);
        Assert.DoesNotContain("did not finish their recordings", bastion.Log);
        Assert.Contains("STATUS=cutting 1 session(s)", string.Join('\n', _systemd.Datagrams));
        var session = await _h.WaitForSessionAsync("outlasts", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("shutdown", session.GetProperty("endReason").GetString());
        Assert.Contains("STILL_6", await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!));
        Assert.Empty(await _h.SessionsAsync("latecomer"));
    }

    [Fact]
    public async Task A_second_sigterm_during_the_drain_cuts_the_open_session_at_once()
    {
        await using var ssh = await _h.OpenWorkingShellAsync("hurried");
        var bastion = _h.Bastion;
        var clock = Stopwatch.StartNew();
        bastion.SendTerminate();
        Assert.True(await bastion.WaitForLogAsync("draining: no new logins; 1 session(s)", Short), bastion.Log);
        int mark = ssh.Output.Length;
        await ssh.TypeAsync("echo STILL_$((3*3))\r");
        await ssh.WaitForAsync("STILL_9", Short, mark);
        Assert.False(bastion.HasExited, "serve exited before the second SIGTERM:\n" + bastion.Log);

        bastion.SendTerminate();

        Assert.Equal(143, await ssh.WaitForExitAsync(Short));
        Assert.True(await bastion.WaitForExitAsync(Margin), "serve did not exit after the second SIGTERM:\n" + bastion.Log);
        Assert.True(clock.Elapsed < DrainBastion.DrainTimeout, $"exited {clock.Elapsed} after the first SIGTERM: the second did not cut");
        Assert.Equal(0, bastion.ExitCode);
        Assert.Contains("second stop request: cutting 1 session(s) now", bastion.Log);
        Assert.DoesNotContain("drain timeout", bastion.Log);
        var session = await _h.WaitForSessionAsync("hurried", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("shutdown", session.GetProperty("endReason").GetString());
        Assert.Equal(JsonValueKind.String, session.GetProperty("end").ValueKind);
    }
}
