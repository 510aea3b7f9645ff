using System.Text;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Sessions;
using Fumidai.Ssh.Client;
using Microsoft.Extensions.Time.Testing;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>Every way a session ends, in-process: the reason stored and audited, byte counts, and what the operator's client is told.</summary>
public sealed class SessionEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task<SshCommandResult> RunAsync(SshClient client, string command)
    {
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync(command);
        return await session.ReadToEndAsync().WaitAsync(Wait);
    }

    /// <summary>Reads stdout until <paramref name="text"/> has appeared (bounded).</summary>
    private static async Task<string> ReadUntilAsync(SshClientSession session, string text)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Wait);
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            int read = await session.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            await session.Channel.ReturnWindowAsync(read, timeout.Token);
        }
        return seen.ToString();
    }

    private static void AssertEnded(GatewayRig rig, SessionRecord row, SessionEndReason reason)
    {
        Assert.Equal(reason.Name, row.EndReason);
        Assert.Equal(reason.Status, row.Status);
        var end = rig.AuditOf(AuditTypes.SessionEnd, row.Id);
        Assert.Equal(reason.Name, end.Details["reason"]);
        Assert.Equal(row.BytesIn.ToString(System.Globalization.CultureInfo.InvariantCulture), end.Details["bytes_in"]);
        Assert.Equal(row.BytesOut.ToString(System.Globalization.CultureInfo.InvariantCulture), end.Details["bytes_out"]);
        Assert.Equal(reason.Status == SessionStatus.Closed ? AuditOutcome.Success : AuditOutcome.Failure, end.Outcome);
    }

    [Fact]
    public async Task Exit_status_reaches_the_operator_and_the_session_ends_as_exit()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var result = await RunAsync(client, "exit 3");
        Assert.Equal(3u, result.Exit.ExitStatus);
        var row = await rig.EndedSessionAsync();
        AssertEnded(rig, row, SessionEndReason.Exit);
        Assert.Equal(["exit 3"], rig.Target.Started);
    }

    [Fact]
    public async Task Exit_signal_reaches_the_operator()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var result = await RunAsync(client, "signal KILL");
        Assert.Null(result.Exit.ExitStatus);
        Assert.Equal("KILL", result.Exit.ExitSignal);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.Exit);
    }

    [Fact]
    public async Task Output_and_input_are_counted()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("cat");
        await session.WriteAsync("hello target\n"u8.ToArray());
        Assert.Contains("hello target", await ReadUntilAsync(session, "hello target"));
        await session.SendEofAsync();
        var result = await session.ReadToEndAsync().WaitAsync(Wait);
        Assert.Equal(0u, result.Exit.ExitStatus);
        var row = await rig.EndedSessionAsync();
        AssertEnded(rig, row, SessionEndReason.Exit);
        Assert.Equal(13, row.BytesIn);
        Assert.Equal(13, row.BytesOut);
    }

    [Fact]
    public async Task Operator_whose_client_dies_while_the_command_runs_ends_as_client_closed()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var session = await client.OpenSessionAsync();
        await session.ExecAsync("print 100000 5");
        await ReadUntilAsync(session, "line 3\n");
        rig.DropOperators();
        var row = await rig.EndedSessionAsync();
        AssertEnded(rig, row, SessionEndReason.ClientClosed);
        Assert.True(row.BytesOut >= "line 0\nline 1\nline 2\nline 3\n".Length, $"bytes out {row.BytesOut}");
    }

    [Fact]
    public async Task Operator_closing_the_channel_while_the_command_runs_ends_as_client_closed()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        await session.DisposeAsync();
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.ClientClosed);
    }

    [Fact]
    public async Task Target_that_drops_its_connection_ends_as_target_closed_and_the_operator_gets_a_failure()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var result = await RunAsync(client, "drop");
        Assert.Contains("bye", result.Output);
        Assert.Equal(255u, result.Exit.ExitStatus);
        Assert.Contains("connection to the target was lost", result.Error);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.TargetClosed);
    }

    [Fact]
    public async Task Target_that_ends_output_but_never_exits_ends_as_target_closed()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        var result = await RunAsync(client, "eof-only");
        Assert.Contains("done", result.Output);
        Assert.Equal(255u, result.Exit.ExitStatus);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.TargetClosed);
    }

    [Fact]
    public async Task Unreachable_target_ends_as_target_failure()
    {
        await using var rig = new GatewayRig();
        rig.Dialer.Unreachable = true;
        var client = await rig.ConnectAsync();
        var result = await RunAsync(client, "exit 0");
        Assert.Equal(1u, result.Exit.ExitStatus);
        Assert.Contains("cannot connect to web01", result.Error);
        var row = await rig.EndedSessionAsync();
        AssertEnded(rig, row, SessionEndReason.TargetFailure);
        Assert.Equal(SessionStatus.Failed, row.Status);
        Assert.Empty(rig.Target.Started);
    }

    [Fact]
    public async Task Idle_session_is_warned_then_ends_as_idle_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = new GatewayRig(clock, idleTimeout: TimeSpan.FromMinutes(15));
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(14.5));
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        var exit = await session.Exit.WaitAsync(Wait);
        Assert.Equal(1u, exit.ExitStatus);
        string told = await stderr;
        Assert.Contains("will be closed in", told);
        Assert.Contains("session closed: idle for too long", told);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.IdleTimeout);
    }

    [Fact]
    public async Task Session_reaching_its_maximum_time_ends_as_max_session()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = new GatewayRig(clock, idleTimeout: TimeSpan.FromHours(8), maxSession: TimeSpan.FromHours(1));
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        await AdvanceAsync(clock, TimeSpan.FromMinutes(59.5));
        await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Equal(1u, (await session.Exit.WaitAsync(Wait)).ExitStatus);
        Assert.Contains("maximum session time reached", await stderr);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.MaxSession);
    }

    [Fact]
    public async Task Shutdown_tells_the_operator_lets_the_session_run_then_cuts_it_with_a_failure_status()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("cat");
        await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        rig.StartDrain();
        // Draining: the session still works.
        await Task.Delay(200);
        await session.WriteAsync("still here\n"u8.ToArray());
        Assert.Contains("still here", await ReadUntilAsync(session, "still here"));
        rig.CutSessions();
        var exit = await session.Exit.WaitAsync(Wait);
        Assert.Equal(143u, exit.ExitStatus);
        string told = await stderr;
        Assert.Contains("the bastion is shutting down", told);
        Assert.Contains("session closed", told);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.Shutdown);
    }

    [Fact]
    public async Task Recording_that_cannot_be_written_ends_the_session_as_recording_failure()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("print 100000 2");
        await ReadUntilAsync(session, "line 1\n");
        rig.Recordings.BreakSpool();
        var drained = DrainOutputAsync(session);
        var stderr = ReadAllErrorAsync(session);
        var exit = await session.Exit.WaitAsync(Wait);
        Assert.Equal(1u, exit.ExitStatus);
        Assert.Contains("the recording could not be written", await stderr);
        await drained;
        var row = await rig.EndedSessionAsync();
        AssertEnded(rig, row, SessionEndReason.RecordingFailure);
        Assert.Contains(rig.Metadata.Audit, e => e.Type == AuditTypes.RecordingFailure && e.Details.GetValueOrDefault("session") == row.Id);
    }

    [Fact]
    public async Task Store_outage_in_strict_mode_ends_the_session_as_recording_failure()
    {
        await using var rig = new GatewayRig();
        rig.Recordings.Strict = true;
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        rig.Recordings.StartOutage();
        Assert.Equal(1u, (await session.Exit.WaitAsync(Wait)).ExitStatus);
        Assert.Contains("recording store is unavailable", await stderr);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.RecordingFailure);
    }

    [Fact]
    public async Task Revoked_user_session_ends_as_revoked()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        rig.Metadata.RevokeUser("alice", DateTimeOffset.UtcNow.AddSeconds(1));
        var watcher = new RevocationWatcher(rig.Context, TimeSpan.FromMilliseconds(50));
        await watcher.CheckAsync(CancellationToken.None);
        await watcher.CheckAsync(CancellationToken.None);
        Assert.Equal(1u, (await session.Exit.WaitAsync(Wait)).ExitStatus);
        Assert.Contains("access revoked", await stderr);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.Revoked);
    }

    [Fact]
    public async Task Killed_session_ends_as_killed()
    {
        await using var rig = new GatewayRig();
        var watcher = new RevocationWatcher(rig.Context, TimeSpan.FromMilliseconds(50));
        await watcher.CheckAsync(CancellationToken.None);
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        var live = await rig.LiveSessionAsync();
        var stderr = ReadAllErrorAsync(session);
        rig.Metadata.KillSession(live.Id, DateTimeOffset.UtcNow);
        await watcher.CheckAsync(CancellationToken.None);
        Assert.Equal(1u, (await session.Exit.WaitAsync(Wait)).ExitStatus);
        Assert.Contains("closed by an administrator", await stderr);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.Killed);
    }

    [Fact]
    public async Task Operator_who_stops_reading_cannot_hold_the_end_of_a_killed_session()
    {
        await using var rig = new GatewayRig();
        var watcher = new RevocationWatcher(rig.Context, TimeSpan.FromMilliseconds(50));
        await watcher.CheckAsync(CancellationToken.None);
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        // Output as fast as it goes, and the operator never reads (nor credits the window): every window on the way fills up.
        session.Channel.DeferCredit = true;
        await session.ExecAsync("flood");
        var live = await rig.LiveSessionAsync();
        await Task.Delay(500);
        rig.Metadata.KillSession(live.Id, DateTimeOffset.UtcNow);
        await watcher.CheckAsync(CancellationToken.None);
        var row = await rig.EndedSessionAsync(TimeSpan.FromSeconds(25));
        AssertEnded(rig, row, SessionEndReason.Killed);
        Assert.True(row.BytesOut > 0);
    }

    [Fact]
    public async Task Signal_from_the_operator_reaches_the_target()
    {
        await using var rig = new GatewayRig();
        var client = await rig.ConnectAsync();
        await using var session = await client.OpenSessionAsync();
        await session.ExecAsync("hang");
        await rig.LiveSessionAsync();
        await session.SignalAsync("INT");
        var exit = await session.Exit.WaitAsync(Wait);
        Assert.Equal("INT", exit.ExitSignal);
        Assert.Equal(["INT"], rig.Target.Signals);
        AssertEnded(rig, await rig.EndedSessionAsync(), SessionEndReason.Exit);
    }

    /// <summary>Moves the fake clock in one-second steps, letting the session's timers run between them.</summary>
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

    private static async Task<string> ReadAllErrorAsync(SshClientSession session)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            int read;
            while ((read = await session.ReadErrorAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                await session.Channel.ReturnWindowAsync(read, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return text.ToString();
    }

    private static async Task DrainOutputAsync(SshClientSession session)
    {
        var buffer = new byte[16384];
        using var timeout = new CancellationTokenSource(Wait);
        int read;
        while ((read = await session.ReadAsync(buffer, timeout.Token)) > 0) await session.Channel.ReturnWindowAsync(read, timeout.Token);
    }
}
