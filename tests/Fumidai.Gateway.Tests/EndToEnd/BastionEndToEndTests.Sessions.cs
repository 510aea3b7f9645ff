using System.Diagnostics;
using System.Text.Json;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>Terminal sessions: the login menu, a nested hop recorded, the idle timeout, JSON listings.</summary>
public sealed partial class BastionEndToEndTests
{
    /// <summary>The end of root's prompt on the target (bash, "host:~# ").</summary>
    private const string Prompt = "# ";

    [Fact]
    public async Task The_login_menu_lists_reachable_targets_and_connects_to_the_one_typed()
    {
        var op = await _h.AddOperatorAsync("menu");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "menu", await Totp.CodeAsync(op.Secret, s0));

        int menu = await ssh.WaitForAsync("Target (name", Short);
        string listing = ssh.Output[..menu];
        Assert.Contains("web01", listing);
        Assert.Contains("webkey", listing);
        Assert.DoesNotContain("db01", listing);
        Assert.Contains("recorded", listing);

        await ssh.TypeAsync("nosuch\r");
        int unknown = await ssh.WaitForAsync("unknown target 'nosuch'", Short, menu);
        int again = await ssh.WaitForAsync("Target (name", Short, unknown);

        await ssh.TypeAsync("web01\r");
        int shell = await ssh.WaitForAsync(Prompt, Short, again + "Target (name".Length);
        await ssh.TypeAsync("echo MENU_$((2+3))\r");
        await ssh.WaitForAsync("MENU_5", Short, shell);
        await ssh.TypeAsync("exit\r");

        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
        var session = await _h.WaitForSessionAsync("menu", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.Equal("web01", session.GetProperty("target").GetString());
        Assert.Equal("root", session.GetProperty("login").GetString());
        Assert.Contains("MENU_5", await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Lines_typed_ahead_with_the_menu_choice_reach_the_target()
    {
        var op = await _h.AddOperatorAsync("typeahead");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "typeahead", await Totp.CodeAsync(op.Secret, s0));
        int menu = await ssh.WaitForAsync("Target (name", Short);

        // One write, as a paste would send it: the choice and the first command.
        await ssh.TypeAsync("web01\recho AHEAD_$((3+4))\r");

        await ssh.WaitForAsync("AHEAD_7", Short, menu);
        await ssh.TypeAsync("exit\r");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task Ctrl_c_at_the_menu_ends_the_connection_without_a_session()
    {
        var op = await _h.AddOperatorAsync("menuquit");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "menuquit", await Totp.CodeAsync(op.Secret, s0));
        await ssh.WaitForAsync("Target (name", Short);

        await ssh.TypeAsync("we\u0003");

        Assert.Equal(1, await ssh.WaitForExitAsync(Short));
        Assert.Empty(await _h.SessionsAsync("menuquit"));
    }

    [Fact]
    public async Task An_operator_idle_at_the_menu_is_told_and_disconnected()
    {
        // The menu's limit is the global idle timeout: this test has its own bastion with it shortened through the environment.
        var harness = new BastionHarness { BastionEnvironment = { ["FUMIDAI__Sessions__IdleTimeout"] = "3s" } };
        try
        {
            await harness.InitializeAsync();
            var op = await harness.AddOperatorAsync("menuidle");
            long s0 = Totp.CurrentStep();
            var clock = Stopwatch.StartNew();
            await using var ssh = harness.SshInteractive(op, "menuidle", await Totp.CodeAsync(op.Secret, s0));
            int menu = await ssh.WaitForAsync("Target (name", Short);

            await ssh.WaitForAsync("[fumidai] session closed: idle", Short, menu);

            Assert.Equal(1, await ssh.WaitForExitAsync(Short));
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"closed after {clock.Elapsed}");
            Assert.Empty(await harness.SessionsAsync("menuidle"));
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_nested_ssh_from_the_target_is_recorded_and_shows_in_asciinema_cat_of_the_export()
    {
        var op = await _h.AddOperatorAsync("nested");
        long s0 = Totp.CurrentStep();
        string code = await Totp.CodeAsync(op.Secret, s0);
        string script = _h.Directory.Combine("nested.exp");
        // Driven by expect, as a person would: wait for each prompt, type, wait for the answer.
        File.WriteAllText(script, """
            set timeout 30
            set hop_port [lindex $argv 0]
            set hop_key [lindex $argv 1]
            set ssh_args [lrange $argv 2 end]
            proc step {pattern what} {
                expect {
                    -re $pattern {}
                    timeout { puts "\nEXPECT-TIMEOUT waiting for $what"; exit 10 }
                    eof { puts "\nEXPECT-EOF waiting for $what"; exit 11 }
                }
            }
            spawn -noecho ssh -tt -e none {*}$ssh_args
            step {# $} "the target's prompt"
            send -- "ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes -i $hop_key -p $hop_port root@127.0.0.1\r"
            step {SECOND-HOP-BANNER} "the second hop's banner"
            step {# $} "the second hop's prompt"
            send -- {echo NESTED_MARK_$((6*7)) $SSH_CONNECTION}
            send -- "\r"
            step {NESTED_MARK_42 127\.0\.0\.1 [0-9]+ 127\.0\.0\.1 [0-9]+} "the marker from the second hop"
            step {# $} "the second hop's prompt again"
            send -- "exit\r"
            step {Connection to 127.0.0.1 closed|# $} "back on the target"
            send -- "exit\r"
            expect {
                eof {}
                timeout { puts "\nEXPECT-TIMEOUT waiting for the end"; exit 12 }
            }
            lassign [wait] pid spawnid os_error status
            exit $status
            """);
        var args = new List<string> { "-f", script, _h.SecondHop.Port.ToString(), _h.HopKeyFile };
        args.AddRange(_h.ClientOptions("nested:web01", op.KeyFile));
        args.Add("127.0.0.1");

        var result = await ProcessRunner.RunAsync("expect", args, TimeSpan.FromSeconds(120), environment: _h.Askpass(code, null).Environment);

        Assert.True(result.ExitCode == 0, Describe(result));
        Assert.True(await _h.SecondHop.WaitForLogAsync("Accepted publickey for root", TimeSpan.FromSeconds(10)), _h.SecondHop.Log);
        var session = await _h.WaitForSessionAsync("nested", s => s.GetProperty("status").GetString() == "closed", "closed");
        string shown = await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!);
        _output.WriteLine(shown);
        Assert.Contains($"NESTED_MARK_42 127.0.0.1", shown);
        Assert.Contains($" 127.0.0.1 {_h.SecondHop.Port}", shown);
        Assert.Contains("SECOND-HOP-BANNER", shown);
        // Reading a recording is itself audited.
        var access = await _h.WaitForAuditAsync(e => e.Type == "recording.access" && e.Detail("session") == session.GetProperty("id").GetString(),
            "recording.access of the export");
        Assert.Equal("nested", access.Detail("session_user"));
    }

    [Fact]
    public async Task A_short_idle_timeout_warns_then_closes_the_session_and_audits_why()
    {
        var op = await _h.AddOperatorAsync("idle", role: "quick");
        long s0 = Totp.CurrentStep();
        var clock = Stopwatch.StartNew();
        await using var ssh = _h.SshInteractive(op, "idle:web01", await Totp.CodeAsync(op.Secret, s0));

        await ssh.WaitForAsync(Prompt, Short);
        // From the start: on a slow machine the shell's prompt may come after the warning (2 s into the session).
        int warning = await ssh.WaitForAsync("[fumidai] session idle", Short);
        // Typing is activity: it re-arms the timer, so a second warning comes before the end.
        await ssh.TypeAsync("echo STILL_$((1+1))\r");
        int typed = await ssh.WaitForAsync("STILL_2", Short, warning);
        int second = await ssh.WaitForAsync("[fumidai] session idle", Short, typed);
        int closed = await ssh.WaitForAsync("[fumidai] session closed: idle", Short, second);
        Assert.True(warning < typed && typed < second && second < closed);

        int exit = await ssh.WaitForExitAsync(Short);
        Assert.NotEqual(0, exit);
        // 4 s idle after the last input, which came after the first warning (2 s in): at least 6 s in all.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(6), $"closed after {clock.Elapsed}");
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "idle", "session.end of idle");
        Assert.Equal("idle-timeout", end.Detail("reason"));
        var session = await _h.WaitForSessionAsync("idle", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.Equal("idle-timeout", session.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task The_idle_timeout_closes_an_exec_channel_despite_output_and_keepalives()
    {
        var op = await _h.AddOperatorAsync("idlexec", role: "quick");
        long s0 = Totp.CurrentStep();
        var clock = Stopwatch.StartNew();

        // Output every half second and a client keepalive every second: neither is the operator typing.
        var result = await _h.SshExecAsync(op, "idlexec:web01", "for i in $(seq 60); do echo tick; sleep 0.5; done; echo should-not-finish",
            await Totp.CodeAsync(op.Secret, s0), sshArguments: ["-o", "ServerAliveInterval=1"]);

        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"took {clock.Elapsed}");
        Assert.Contains("tick", result.Output);
        Assert.DoesNotContain("should-not-finish", result.Output);
        int warning = result.StandardError.IndexOf("[fumidai] session idle", StringComparison.Ordinal);
        int closed = result.StandardError.IndexOf("[fumidai] session closed: idle", StringComparison.Ordinal);
        Assert.True(warning >= 0 && closed > warning, Describe(result));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "idlexec", "session.end of idlexec");
        Assert.Equal("idle-timeout", end.Detail("reason"));
    }

    [Fact]
    public async Task The_idle_timeout_closes_an_sftp_session_left_open()
    {
        var op = await _h.AddOperatorAsync("idlesftp", role: "quick");
        long s0 = Totp.CurrentStep();
        var clock = Stopwatch.StartNew();
        // The sftp subsystem with its input left open and silent, as an sftp client waiting at its prompt.
        var args = new List<string> { "-s" };
        args.AddRange(_h.ClientOptions("idlesftp:web01", op.KeyFile));
        args.AddRange(["127.0.0.1", "sftp"]);
        await using var ssh = InteractiveSsh.Start(args, _h.Askpass(await Totp.CodeAsync(op.Secret, s0), null).Environment);

        int exit = await ssh.WaitForExitAsync(Short);

        Assert.True(exit is not 0, $"exit {exit}: {ssh.Error}");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4), $"closed after {clock.Elapsed}");
        Assert.Contains("[fumidai] session closed: idle", ssh.Error);
        var session = await _h.WaitForSessionAsync("idlesftp", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.Equal("sftp", session.GetProperty("kind").GetString());
        Assert.Equal("idle-timeout", session.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task The_maximum_session_duration_closes_a_busy_session_with_a_warning_first()
    {
        var op = await _h.AddOperatorAsync("maxsession", role: "brief");
        long s0 = Totp.CurrentStep();
        var clock = Stopwatch.StartNew();
        await using var ssh = _h.SshInteractive(op, "maxsession:web01", await Totp.CodeAsync(op.Secret, s0));
        await ssh.WaitForAsync(Prompt, Short);

        // Input keeps the session from being idle; the maximum duration ends it all the same.
        for (int i = 0; i < 40 && !ssh.HasExited && !ssh.Output.Contains("[fumidai] session closed", StringComparison.Ordinal); i++)
        {
            await ssh.TypeAsync($"echo BUSY_{i}\r");
            await Task.Delay(250);
        }
        // From the start: on a slow machine the target's prompt may come after the warning (2 s into the session).
        int warning = await ssh.WaitForAsync("[fumidai] maximum session time reached in", Short);
        int closed = await ssh.WaitForAsync("[fumidai] session closed: maximum session time reached", Short, warning);
        Assert.True(warning < closed);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4), $"closed after {clock.Elapsed}");
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "maxsession", "session.end of maxsession");
        Assert.Equal("max-session", end.Detail("reason"));
    }

    [Fact]
    public async Task Sessions_list_and_audit_as_json_describe_the_session_with_its_bytes()
    {
        var op = await _h.AddOperatorAsync("json");
        long s0 = Totp.CurrentStep();

        // 1234 bytes go in on stdin (read by cat, not echoed), 5000 come out: the two counters cannot be mistaken for each other.
        var result = await _h.SshExecAsync(op, "json:web01", "head -c 5000 /dev/zero | tr '\\0' x; cat >/dev/null", await Totp.CodeAsync(op.Secret, s0),
            input: new byte[1234]);
        Assert.True(result.ExitCode == 0, Describe(result));
        Assert.Equal(5000, result.Output.Length);

        var session = await _h.WaitForSessionAsync("json", s => s.GetProperty("status").GetString() == "closed", "closed");
        foreach (var field in new[] { "id", "user", "target", "login", "start", "end", "status" })
            Assert.True(session.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String, $"{field} missing: {session}");
        Assert.Equal("json", session.GetProperty("user").GetString());
        Assert.Equal("web01", session.GetProperty("target").GetString());
        Assert.Equal("root", session.GetProperty("login").GetString());
        var start = DateTimeOffset.Parse(session.GetProperty("start").GetString()!);
        var end = DateTimeOffset.Parse(session.GetProperty("end").GetString()!);
        Assert.True(start <= end && end - start < TimeSpan.FromMinutes(2), $"{start} .. {end}");
        string id = session.GetProperty("id").GetString()!;

        // session.end is written just after the session's row is closed.
        await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "json", "session.end of json");
        var events = await _h.AuditAsync();
        Assert.Contains(events, e => e.Type == "login" && e.User == "json" && e.Outcome == "success" && e.Source == "127.0.0.1");
        var started = Assert.Single(events, e => e.Type == "session.start" && e.User == "json");
        Assert.Equal(id, started.Detail("session"));
        Assert.Equal("web01", started.Target);
        var ended = Assert.Single(events, e => e.Type == "session.end" && e.User == "json");
        Assert.Equal(id, ended.Detail("session"));
        Assert.True(long.Parse(ended.Detail("bytes_out")) >= 5000, ended.ToString());
        Assert.True(long.Parse(ended.Detail("bytes_in")) == 1234, ended.ToString());
        Assert.True(started.Seq < ended.Seq, $"{started.Seq} !< {ended.Seq}");
    }
}
