using Xunit.Abstractions;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Debian's OpenSSH client → <c>fumidai serve</c> (a real process) → a private Debian sshd that trusts the bastion's CA,
/// all on 127.0.0.1. TOTP codes come from oathtool through SSH_ASKPASS.
/// </summary>
/// <remarks>
/// Each test has its own user: a TOTP code is accepted once per user, and an older step is refused after a newer one.
/// Each test takes the current step S0 once at its start and uses S0, then S0+1, for a second login of the same user.
/// </remarks>
public sealed partial class BastionEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly BastionHarness _h;
    private readonly ITestOutputHelper _output;

    public BastionEndToEndTests(BastionHarness harness, ITestOutputHelper output)
    {
        _h = harness;
        _output = output;
    }

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Describe(ProcessRunner.Result result) =>
        $"exit {result.ExitCode}\n--- stdout ---\n{result.Output}\n--- stderr ---\n{result.StandardError}";

    [Fact]
    public async Task Key_and_totp_run_a_command_on_the_target_with_its_exit_status_and_the_operator_named_in_the_target_log()
    {
        var op = await _h.AddOperatorAsync("exec");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "exec:web01", "echo hello-$((40+2)); echo oops >&2; exit 3", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode == 3, Describe(result));
        Assert.Contains("hello-42", result.Output);
        Assert.Contains("oops", result.StandardError);
        Assert.Contains("All sessions are recorded", result.StandardError);
        Assert.Equal(["(exec:web01@127.0.0.1) Verification code: "], File.ReadAllLines(_h.LastPromptLog));
        Assert.True(await _h.Target.WaitForLogAsync("Accepted certificate ID \"fumidai:exec:", TimeSpan.FromSeconds(10)),
            "the target's sshd log does not name the operator:\n" + _h.Target.Log);
        var login = await _h.WaitForAuditAsync(e => e.Type == "login" && e.User == "exec", "login of exec");
        Assert.Equal("publickey+totp", login.Detail("method"));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "exec", "session.end of exec");
        Assert.Equal("exit", end.Detail("reason"));
        var exec = await _h.WaitForAuditAsync(e => e.Type == "session.exec" && e.User == "exec", "session.exec of exec");
        Assert.Contains("hello-$((40+2))", exec.Detail("command"));
        var session = Assert.Single(await _h.SessionsAsync("exec"));
        Assert.Equal("exec", session.GetProperty("kind").GetString());
        Assert.Contains("hello-42", await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task The_login_is_picked_with_LOGIN_at_TARGET_and_a_login_outside_the_role_is_denied()
    {
        var op = await _h.AddOperatorAsync("pick");
        long s0 = Totp.CurrentStep();

        var root = await _h.SshExecAsync(op, "pick:root@web01", "id -un", await Totp.CodeAsync(op.Secret, s0));
        var nobody = await _h.SshExecAsync(op, "pick:nobody@web01", "id -un", await Totp.CodeAsync(op.Secret, s0 + 1));

        Assert.True(root.ExitCode == 0, Describe(root));
        Assert.Equal("root", root.Output.Trim());
        Assert.True(nobody.ExitCode is not 0 and not 255, Describe(nobody));
        Assert.Contains("access denied", nobody.StandardError);
        Assert.Contains("nobody", nobody.StandardError);
        Assert.Single(await _h.SessionsAsync("pick"));
    }

    [Fact]
    public async Task Port_forwarding_through_the_bastion_is_refused_and_audited()
    {
        var op = await _h.AddOperatorAsync("forward");
        long s0 = Totp.CurrentStep();

        // -W: a direct-tcpip channel to the target's sshd port.
        var direct = await _h.SshExecAsync(op, "forward:web01", "", await Totp.CodeAsync(op.Secret, s0),
            sshArguments: ["-W", $"127.0.0.1:{_h.Target.Port}"]);
        // -R: a tcpip-forward global request, which ssh must not ignore.
        var remote = await _h.SshExecAsync(op, "forward:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0 + 1),
            sshArguments: ["-R", "0:127.0.0.1:9", "-o", "ExitOnForwardFailure=yes"]);

        Assert.True(direct.ExitCode == 255, Describe(direct));
        Assert.Contains("prohibited", direct.StandardError);
        Assert.DoesNotContain("SSH-2.0-", direct.Output);
        Assert.True(remote.ExitCode == 255, Describe(remote));
        Assert.Contains("remote port forwarding failed", remote.StandardError);
        var denied = await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "forward" && e.Detail("request") == "direct-tcpip",
            "request.denied direct-tcpip");
        Assert.Equal($"127.0.0.1:{_h.Target.Port}", denied.Detail("destination"));
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "forward" && e.Detail("request") == "tcpip-forward",
            "request.denied tcpip-forward");
    }

    [Fact]
    public async Task Stdin_and_its_end_pass_through_exec_and_a_pty_without_a_size_gets_80x24()
    {
        var op = await _h.AddOperatorAsync("stdin");
        long s0 = Totp.CurrentStep();
        var input = new byte[200_000];
        Random.Shared.NextBytes(input);

        // wc only prints once its stdin ends: the operator's EOF must reach the target.
        var args = _h.ClientOptions("stdin:web01", op.KeyFile);
        args.AddRange(["127.0.0.1", "wc -c"]);
        var counted = await ProcessRunner.RunAsync("ssh", args, Short, input,
            environment: _h.Askpass(await Totp.CodeAsync(op.Secret, s0), null).Environment);
        // ssh -tt from pipes reports a 0x0 terminal; the bastion asks the target for 80x24 instead.
        var pty = await _h.SshExecAsync(op, "stdin:web01", "stty size; tty", await Totp.CodeAsync(op.Secret, s0 + 1), sshArguments: ["-tt"]);

        Assert.True(counted.ExitCode == 0, Describe(counted));
        Assert.Equal(input.Length.ToString(), counted.Output.Trim());
        Assert.True(pty.ExitCode == 0, Describe(pty));
        Assert.StartsWith("24 80", pty.Output.TrimStart());
        Assert.Contains("/dev/pts/", pty.Output);
    }

    [Fact]
    public async Task Password_and_totp_log_in()
    {
        var op = await _h.AddOperatorAsync("pw", password: "correct horse 42 battery");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "pw:web01", "echo via-password", await Totp.CodeAsync(op.Secret, s0), usePassword: true);

        Assert.True(result.ExitCode == 0, Describe(result));
        Assert.Contains("via-password", result.Output);
        var login = await _h.WaitForAuditAsync(e => e.Type == "login" && e.User == "pw", "login of pw");
        Assert.Equal("password+totp", login.Detail("method"));
    }

    [Fact]
    public async Task A_wrong_code_is_refused_and_audited()
    {
        var op = await _h.AddOperatorAsync("wrong");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "wrong:web01", "echo should-not-run", await Totp.WrongCodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.DoesNotContain("should-not-run", result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "mfa.failure" && e.User == "wrong" && e.Outcome == "failure", "mfa.failure of wrong");
        Assert.Empty(await _h.SessionsAsync("wrong"));
    }

    [Fact]
    public async Task A_replayed_code_is_refused_and_the_next_step_is_accepted()
    {
        var op = await _h.AddOperatorAsync("replay");
        long s0 = Totp.CurrentStep();
        string code = await Totp.CodeAsync(op.Secret, s0);

        var first = await _h.SshExecAsync(op, "replay:web01", "echo first", code);
        var again = await _h.SshExecAsync(op, "replay:web01", "echo replayed", code);
        var next = await _h.SshExecAsync(op, "replay:web01", "echo next", await Totp.CodeAsync(op.Secret, s0 + 1));

        Assert.True(first.ExitCode == 0, Describe(first));
        Assert.True(again.ExitCode == 255, Describe(again));
        Assert.DoesNotContain("replayed", again.Output);
        await _h.WaitForAuditAsync(e => e.Type == "mfa.replay" && e.User == "replay", "mfa.replay of replay");
        Assert.True(next.ExitCode == 0, Describe(next));
        Assert.Contains("next", next.Output);
    }

    [Fact]
    public async Task A_key_alone_never_gets_a_session()
    {
        var op = await _h.AddOperatorAsync("keyonly");

        var result = await _h.SshExecAsync(op, "keyonly:web01", "echo should-not-run", code: null, batch: true);

        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.DoesNotContain("should-not-run", result.Output);
        Assert.Contains("Permission denied", result.StandardError);
        Assert.Empty(await _h.SessionsAsync("keyonly"));
        Assert.DoesNotContain(await _h.AuditAsync(), e => e.Type == "login" && e.User == "keyonly");
    }

    [Fact]
    public async Task Ten_failures_lock_the_account_until_user_unlock()
    {
        var op = await _h.AddOperatorAsync("locked");
        long s0 = Totp.CurrentStep();
        string wrong = await Totp.WrongCodeAsync(op.Secret, s0);

        // One wrong code per connection: the same code retried within a connection counts once.
        for (int connection = 0; connection < 10; connection++)
        {
            var failed = await _h.SshExecAsync(op, "locked:web01", "true", wrong);
            Assert.True(failed.ExitCode == 255, Describe(failed));
        }
        var lockout = await _h.WaitForAuditAsync(e => e.Type == "login.lockout" && e.User == "locked", "login.lockout of locked");
        Assert.Equal("10", lockout.Detail("failures"));
        Assert.Equal(10, (await _h.AuditAsync()).Count(e => e.Type == "mfa.failure" && e.User == "locked"));

        var whileLocked = await _h.SshExecAsync(op, "locked:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));
        Assert.True(whileLocked.ExitCode == 255, Describe(whileLocked));
        Assert.DoesNotContain("should-not-run", whileLocked.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "locked" && e.Detail("reason").StartsWith("account locked"),
            "login.failure 'account locked' of locked");

        var unlock = await _h.MustAsync("user", "unlock", "locked");
        _output.WriteLine(unlock.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.unlock" && e.User == "locked", "login.unlock of locked");

        var after = await _h.SshExecAsync(op, "locked:web01", "echo unlocked", await Totp.CodeAsync(op.Secret, s0 + 1));
        Assert.True(after.ExitCode == 0, Describe(after));
        Assert.Contains("unlocked", after.Output);
    }

    [Fact]
    public async Task A_role_allowing_port_forward_carries_ssh_W_through_the_target_and_audits_it()
    {
        var op = await _h.AddOperatorAsync("tunnel", role: "tunnel");
        long s0 = Totp.CurrentStep();

        // -W to the second sshd, reached from the target: its version line comes back through the tunnel.
        var result = await _h.SshExecAsync(op, "tunnel:web01", "", await Totp.CodeAsync(op.Secret, s0),
            sshArguments: ["-W", $"127.0.0.1:{_h.SecondHop.Port}"]);

        Assert.StartsWith("SSH-2.0-OpenSSH", result.Output);
        var forward = await _h.WaitForAuditAsync(e => e.Type == "session.forward" && e.User == "tunnel" && e.Outcome == "success",
            "session.forward of tunnel");
        Assert.Equal($"127.0.0.1:{_h.SecondHop.Port}", forward.Detail("destination"));
        Assert.Equal("web01", forward.Target);
    }

    [Fact]
    public async Task After_reset_mfa_the_old_secret_is_refused_and_the_new_one_accepted()
    {
        var op = await _h.AddOperatorAsync("reset");
        long s0 = Totp.CurrentStep();
        var reset = await _h.MustAsync("user", "reset-mfa", "reset");
        string uri = reset.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("otpauth://totp/Fumidai:reset?", StringComparison.Ordinal));
        string newSecret = uri.Split('?', 2)[1].Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == "secret")[1];
        Assert.NotEqual(op.Secret, newSecret);

        var old = await _h.SshExecAsync(op, "reset:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));
        var fresh = await _h.SshExecAsync(op, "reset:web01", "echo new-secret", await Totp.CodeAsync(newSecret, s0));

        Assert.True(old.ExitCode == 255, Describe(old));
        Assert.DoesNotContain("should-not-run", old.Output);
        Assert.True(fresh.ExitCode == 0, Describe(fresh));
        Assert.Contains("new-secret", fresh.Output);
        await _h.WaitForAuditAsync(e => e.Type == "mfa.reset" && e.User == "reset", "mfa.reset of reset");
    }

    [Fact]
    public async Task A_disabled_user_is_refused()
    {
        var op = await _h.AddOperatorAsync("disabled");
        long s0 = Totp.CurrentStep();
        await _h.MustAsync("user", "disable", "disabled");

        var result = await _h.SshExecAsync(op, "disabled:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.DoesNotContain("should-not-run", result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "disabled" && e.Detail("reason") == "user disabled",
            "login.failure 'user disabled'");
        Assert.Empty(await _h.SessionsAsync("disabled"));
    }

    [Fact]
    public async Task A_target_outside_the_role_is_denied_with_a_clear_line()
    {
        var op = await _h.AddOperatorAsync("outside");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "outside:db01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.Contains("access denied", result.StandardError);
        Assert.Contains("db01", result.StandardError);
        Assert.DoesNotContain("should-not-run", result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "outside" && e.Target == "db01", "request.denied of outside");
    }

    [Fact]
    public async Task An_unknown_target_gets_a_clear_line_not_a_dropped_connection()
    {
        var op = await _h.AddOperatorAsync("unknown");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "unknown:nosuch", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));

        // 255 would be ssh's own "connection lost"; the bastion answers on the channel instead.
        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.Contains("unknown target 'nosuch'", result.StandardError);
    }

    [Fact]
    public async Task An_unreachable_target_gets_a_clear_line_and_an_audit_event()
    {
        var op = await _h.AddOperatorAsync("down");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "down:webdown", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.Contains("cannot connect to webdown", result.StandardError);
        Assert.Contains("unreachable", result.StandardError);
        var failure = await _h.WaitForAuditAsync(e => e.Type == "target.failure" && e.User == "down" && e.Target == "webdown", "target.failure of down");
        Assert.Contains("unreachable", failure.Detail("error"));
        // The bastion ends the session's row after it has told the operator: wait for it.
        var session = await _h.WaitForSessionAsync("down", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("failed", session.GetProperty("status").GetString());
        Assert.Single(await _h.SessionsAsync("down"));
    }

    [Fact]
    public async Task A_changed_target_host_key_is_refused_with_both_fingerprints()
    {
        var op = await _h.AddOperatorAsync("hostkey");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "hostkey:webkey", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.DoesNotContain("should-not-run", result.Output);
        string line = result.StandardError.Split('\n').SingleOrDefault(l => l.Contains("host key changed")) ?? "";
        Assert.True(line.Length > 0, Describe(result));
        Assert.Contains(_h.SecondHop.HostKeys[0].Fingerprint, line);
        Assert.Contains(_h.Target.HostKeys, k => line.Contains(k.Fingerprint));
        var failure = await _h.WaitForAuditAsync(e => e.Type == "target.failure" && e.User == "hostkey" && e.Target == "webkey",
            "target.failure of hostkey");
        Assert.Contains("host key changed", failure.Detail("error"));
    }
}
