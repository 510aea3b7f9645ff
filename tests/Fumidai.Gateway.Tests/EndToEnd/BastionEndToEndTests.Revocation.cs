using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Revocation reaches open connections: disabling, locking, changing roles or killing a session ends what is running
/// (within 5 s, with a notice) and a multiplexed connection (ControlMaster/ControlPersist) takes no new command.
/// </summary>
public sealed partial class BastionEndToEndTests
{
    private static readonly TimeSpan RevocationDeadline = TimeSpan.FromSeconds(5);

    /// <summary>A ControlPersist master (ssh -f -N -M) made by Debian's ssh; its PID is read back with <c>-O check</c>.</summary>
    private sealed class ControlMaster : IAsyncDisposable
    {
        public required string Socket { get; init; }

        public int? Pid { get; init; }

        public ValueTask DisposeAsync()
        {
            if (Pid is not { } pid) return ValueTask.CompletedTask;
            try
            {
                using var process = Process.GetProcessById(pid);
                ProcessRunner.Kill(process);
            }
            catch (ArgumentException)
            {
                // Already gone: the bastion cut it.
            }
            return ValueTask.CompletedTask;
        }
    }

    private async Task<ControlMaster> StartControlMasterAsync(Operator op, string loginName, string code)
    {
        string socket = _h.Directory.Combine($"ctl-{op.Name}");
        var args = _h.ClientOptions(loginName, op.KeyFile);
        args.AddRange(["-o", "ControlMaster=yes", "-o", "ControlPath=" + socket, "-o", "ControlPersist=yes", "-f", "-N", "127.0.0.1"]);
        var started = await ProcessRunner.RunAsync("ssh", args, Short, environment: _h.Askpass(code, null).Environment);
        Assert.True(started.ExitCode == 0, "the master did not start: " + Describe(started));
        var check = await ProcessRunner.RunAsync("ssh", ["-S", socket, "-O", "check", "127.0.0.1"], Short);
        var pid = Regex.Match(check.StandardError, @"pid=(\d+)");
        Assert.True(pid.Success, "ssh -O check: " + Describe(check));
        return new ControlMaster { Socket = socket, Pid = int.Parse(pid.Groups[1].Value) };
    }

    /// <summary>Arguments of a client that goes through the master only: no askpass, no fallback to a connection of its own.</summary>
    private List<string> MultiplexedArguments(Operator op, string loginName, ControlMaster master)
    {
        var args = _h.ClientOptions(loginName, op.KeyFile, batch: true);
        args.AddRange(["-o", "ControlMaster=no", "-o", "ControlPath=" + master.Socket]);
        return args;
    }

    private InteractiveSsh MultiplexedShell(Operator op, string loginName, ControlMaster master)
    {
        var args = new List<string> { "-tt", "-e", "none" };
        args.AddRange(MultiplexedArguments(op, loginName, master));
        args.Add("127.0.0.1");
        return InteractiveSsh.Start(args, new Dictionary<string, string> { ["SSH_ASKPASS_REQUIRE"] = "never" });
    }

    private Task<ProcessRunner.Result> MultiplexedExecAsync(Operator op, string loginName, ControlMaster master, string command)
    {
        var args = MultiplexedArguments(op, loginName, master);
        args.AddRange(["127.0.0.1", command]);
        return ProcessRunner.RunAsync("ssh", args, Short, environment: new Dictionary<string, string> { ["SSH_ASKPASS_REQUIRE"] = "never" });
    }

    /// <summary>Runs an admin command, then waits for the notice; fails if it took longer than the revocation deadline.</summary>
    private static async Task<int> ExpectNoticeWithinDeadlineAsync(InteractiveSsh ssh, string notice, int from, Func<Task> action)
    {
        await action();
        var clock = Stopwatch.StartNew();
        int at = await ssh.WaitForAsync(notice, Short, from);
        Assert.True(clock.Elapsed < RevocationDeadline, $"the notice came after {clock.Elapsed}");
        return at;
    }

    [Fact]
    public async Task Disabling_a_user_ends_her_shell_on_a_ControlMaster_connection_and_the_master_takes_no_new_command()
    {
        var op = await _h.AddOperatorAsync("revdisable");
        long s0 = Totp.CurrentStep();
        await using var master = await StartControlMasterAsync(op, "revdisable:web01", await Totp.CodeAsync(op.Secret, s0));
        await using var ssh = MultiplexedShell(op, "revdisable:web01", master);
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await ssh.TypeAsync("echo BEFORE_$((2*21))\r");
        int before = await ssh.WaitForAsync("BEFORE_42", Short, prompt);
        await _h.WaitForSessionAsync("revdisable", s => s.GetProperty("status").GetString() == "running", "running");

        await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", before,
            () => _h.MustAsync("user", "disable", "revdisable"));

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "revdisable", "session.end of revdisable");
        Assert.Equal("revoked", end.Detail("reason"));
        var again = await MultiplexedExecAsync(op, "revdisable:web01", master, "echo should-not-run");
        Assert.True(again.ExitCode != 0, Describe(again));
        Assert.DoesNotContain("should-not-run", again.Output);
        Assert.Single(await _h.SessionsAsync("revdisable"));
    }

    [Fact]
    public async Task User_set_to_a_role_without_the_target_ends_the_multiplexed_shell_and_refuses_new_commands()
    {
        await _h.MustAsync("role", "add", "dbonly", "--targets", "db01", "--logins", "root");
        var op = await _h.AddOperatorAsync("revroles");
        long s0 = Totp.CurrentStep();
        await using var master = await StartControlMasterAsync(op, "revroles:web01", await Totp.CodeAsync(op.Secret, s0));
        await using var ssh = MultiplexedShell(op, "revroles:web01", master);
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("revroles", s => s.GetProperty("status").GetString() == "running", "running");

        int notice = await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", prompt,
            () => _h.MustAsync("user", "set", "revroles", "--role", "dbonly"));

        Assert.Contains("web01", ssh.Output[notice..]);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "revroles", "session.end of revroles");
        Assert.Equal("revoked", end.Detail("reason"));
        var again = await MultiplexedExecAsync(op, "revroles:web01", master, "echo should-not-run");
        Assert.True(again.ExitCode != 0, Describe(again));
        Assert.DoesNotContain("should-not-run", again.Output);
    }

    [Fact]
    public async Task A_command_multiplexed_over_an_older_connection_is_checked_against_the_users_current_roles()
    {
        await _h.MustAsync("role", "add", "webshell", "--targets", "web01", "--logins", "root", "--allow", "shell");
        var op = await _h.AddOperatorAsync("revexec");
        long s0 = Totp.CurrentStep();
        await using var master = await StartControlMasterAsync(op, "revexec:web01", await Totp.CodeAsync(op.Secret, s0));
        var allowed = await MultiplexedExecAsync(op, "revexec:web01", master, "echo allowed-$((1+1))");
        Assert.True(allowed.ExitCode == 0, Describe(allowed));
        Assert.Contains("allowed-2", allowed.Output);

        // Still a shell user of web01, so the connection stays; exec is no longer hers.
        await _h.MustAsync("user", "set", "revexec", "--role", "webshell");
        var refused = await MultiplexedExecAsync(op, "revexec:web01", master, "echo should-not-run");

        Assert.True(refused.ExitCode != 0, Describe(refused));
        Assert.DoesNotContain("should-not-run", refused.Output);
        Assert.Contains("exec is not allowed", refused.StandardError);
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "revexec" && e.Detail("kind") == "exec", "request.denied of revexec");
    }

    [Fact]
    public async Task Sessions_kill_ends_a_running_session_with_the_reason_shown_and_audited()
    {
        var op = await _h.AddOperatorAsync("killed");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "killed:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        var running = await _h.WaitForSessionAsync("killed", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;

        int notice = await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed by an administrator", prompt,
            () => _h.MustAsync("sessions", "kill", id, "--reason", "incident 42"));

        Assert.Contains("incident 42", ssh.Output[notice..]);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.Detail("session") == id, "session.end of the killed session");
        Assert.Equal("killed", end.Detail("reason"));
        var asked = Assert.Single(await _h.AuditAsync(), e => e.Type == "admin.change" && e.Detail("action") == "sessions.kill");
        Assert.Equal(id, asked.Detail("session"));
        Assert.Equal("incident 42", asked.Detail("reason"));
        Assert.Equal(Environment.UserName, asked.Detail("actor"));
        var again = await _h.CliAsync("sessions", "kill", id);
        Assert.Equal(Fumidai.Cli.Infrastructure.ExitCodes.Conflict, again.ExitCode);
    }

    [Fact]
    public async Task User_lock_ends_her_sessions_and_refuses_logins_until_unlock()
    {
        var op = await _h.AddOperatorAsync("incident");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "incident:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("incident", s => s.GetProperty("status").GetString() == "running", "running");

        await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", prompt,
            () => _h.MustAsync("user", "lock", "incident"));

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "incident", "session.end of incident");
        Assert.Equal("revoked", end.Detail("reason"));
        var locked = await _h.SshExecAsync(op, "incident:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0 + 1));
        Assert.True(locked.ExitCode == 255, Describe(locked));
        Assert.DoesNotContain("should-not-run", locked.Output);

        await _h.MustAsync("user", "unlock", "incident");
        // Three logins: the refused one used step s0 + 1 (a locked account is told so only after both factors).
        await Totp.WaitForStepAsync(s0 + 1);
        var after = await _h.SshExecAsync(op, "incident:web01", "echo unlocked", await Totp.CodeAsync(op.Secret, s0 + 2));
        Assert.True(after.ExitCode == 0, Describe(after));
        Assert.Contains("unlocked", after.Output);
    }

    [Fact]
    public async Task Reset_mfa_ends_the_sessions_made_with_the_old_factor()
    {
        var op = await _h.AddOperatorAsync("revmfa");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "revmfa:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("revmfa", s => s.GetProperty("status").GetString() == "running", "running");

        await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", prompt,
            () => _h.MustAsync("user", "reset-mfa", "revmfa"));

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "revmfa", "session.end of revmfa");
        Assert.Equal("revoked", end.Detail("reason"));
        await _h.WaitForAuditAsync(e => e.Type == "connection.end" && e.User == "revmfa" && e.Detail("reason") == "revoked", "connection.end of revmfa");
    }

    [Fact]
    public async Task A_lockout_by_failures_counted_elsewhere_ends_her_open_session()
    {
        var op = await _h.AddOperatorAsync("revlockout");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "revlockout:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("revlockout", s => s.GetProperty("status").GetString() == "running", "running");

        // Ten failures, as another node (or another connection) would count them: no admin command, no revocation request.
        await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked: the account is locked", prompt, async () =>
        {
            var store = await new DataDirectory(_h.DataPath).OpenStoreAsync();
            for (int i = 0; i < 10; i++) await store.RecordFailureAsync("revlockout", "127.0.0.1", 10, TimeSpan.FromMinutes(30), DateTimeOffset.UtcNow);
        });

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "revlockout", "session.end of revlockout");
        Assert.Equal("revoked", end.Detail("reason"));
    }

    [Fact]
    public async Task Role_set_that_no_longer_grants_the_login_ends_the_session_and_the_role_keeps_its_other_parts()
    {
        await _h.MustAsync("role", "add", "editable", "--targets", "web01", "--logins", "root", "--idle-timeout", "10m");
        var op = await _h.AddOperatorAsync("revrole", role: "editable");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "revrole:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("revrole", s => s.GetProperty("status").GetString() == "running", "running");

        int notice = await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", prompt,
            () => _h.MustAsync("role", "set", "editable", "--logins", "deploy"));

        Assert.Contains("no role grants root on web01", ssh.Output[notice..]);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "revrole", "session.end of revrole");
        Assert.Equal("revoked", end.Detail("reason"));
        using var listed = System.Text.Json.JsonDocument.Parse((await _h.MustAsync("role", "list", "--json")).Output);
        var role = listed.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "editable");
        Assert.Equal("10m", role.GetProperty("idleTimeout").GetString());
        Assert.Equal("deploy", Assert.Single(role.GetProperty("logins").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task A_role_change_that_removes_port_forwarding_closes_open_forwards()
    {
        await _h.MustAsync("role", "add", "fwdedit", "--targets", "web01", "--logins", "root", "--allow", "shell,exec,port-forward");
        var op = await _h.AddOperatorAsync("revforward", role: "fwdedit");
        long s0 = Totp.CurrentStep();
        int localPort = FreeLocalPort();
        var args = _h.ClientOptions("revforward:web01", op.KeyFile);
        args.AddRange(["-N", "-L", $"127.0.0.1:{localPort}:127.0.0.1:{_h.Target.Port}", "127.0.0.1"]);
        await using var ssh = InteractiveSsh.Start(args, _h.Askpass(await Totp.CodeAsync(op.Secret, s0), null).Environment);
        using var client = await ConnectWhenListeningAsync(localPort);
        var stream = client.GetStream();
        var buffer = new byte[256];
        int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Short);
        Assert.StartsWith("SSH-2.0-", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        await _h.MustAsync("role", "set", "fwdedit", "--allow", "shell,exec");
        var clock = Stopwatch.StartNew();
        try
        {
            for (int reads = 0; reads < 100 && await stream.ReadAsync(buffer).AsTask().WaitAsync(Short) > 0; reads++)
            {
            }
        }
        catch (IOException)
        {
        }

        Assert.True(clock.Elapsed < RevocationDeadline, $"the forward stayed open for {clock.Elapsed}");
        var closed = await _h.WaitForAuditAsync(e => e.Type == "session.forward" && e.User == "revforward" && e.Detail("state") == "closed",
            "session.forward closed of revforward");
        Assert.Equal("revoked", closed.Detail("reason"));
        // Still a user of web01: the connection itself stays, and new forwards are refused.
        Assert.False(ssh.HasExited, ssh.Error);
    }

    [Fact]
    public async Task Removing_a_target_ends_the_sessions_open_on_it()
    {
        await _h.MustAsync("target", "add", "webgone", "--host", PrivateSshd.Host, "--port", _h.Target.Port.ToString(), "--login", "root",
            "--host-key", _h.Target.HostKeys[0].ToString());
        var op = await _h.AddOperatorAsync("gone");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "gone:webgone", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await _h.WaitForSessionAsync("gone", s => s.GetProperty("status").GetString() == "running", "running");

        await ExpectNoticeWithinDeadlineAsync(ssh, "[fumidai] session closed: access revoked", prompt,
            () => _h.MustAsync("target", "remove", "webgone"));

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "gone", "session.end of gone");
        Assert.Equal("revoked", end.Detail("reason"));
    }

    [Fact]
    public async Task Target_set_repins_a_changed_host_key_audits_both_fingerprints_and_sessions_work_again()
    {
        string wrong = _h.SecondHop.HostKeys[0].ToString();
        string right = _h.Target.HostKeys[0].ToString();
        await _h.MustAsync("target", "add", "webpin", "--host", PrivateSshd.Host, "--port", _h.Target.Port.ToString(), "--login", "root",
            "--host-key", wrong);
        var op = await _h.AddOperatorAsync("repin");
        long s0 = Totp.CurrentStep();
        var refused = await _h.SshExecAsync(op, "repin:webpin", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));
        Assert.Contains("host key changed", refused.StandardError);

        var set = await _h.MustAsync("target", "set", "webpin", "--host-key", right);

        Assert.Contains(_h.SecondHop.HostKeys[0].Fingerprint, set.Output);
        Assert.Contains(_h.Target.HostKeys[0].Fingerprint, set.Output);
        var audit = Assert.Single(await _h.AuditAsync(), e => e.Type == "admin.change" && e.Detail("action") == "target.set" && e.Target == "webpin");
        Assert.Equal(_h.SecondHop.HostKeys[0].Fingerprint, audit.Detail("previous_host_keys"));
        Assert.Equal(_h.Target.HostKeys[0].Fingerprint, audit.Detail("host_keys"));
        var works = await _h.SshExecAsync(op, "repin:webpin", "echo repinned", await Totp.CodeAsync(op.Secret, s0 + 1));
        Assert.True(works.ExitCode == 0, Describe(works));
        Assert.Contains("repinned", works.Output);
    }

    [Fact]
    public async Task Idle_connections_without_a_session_or_with_only_an_idle_forward_are_cut()
    {
        // The connection's limit is the global idle timeout: its own bastion with it shortened through the environment.
        var harness = new BastionHarness { BastionEnvironment = { ["FUMIDAI__Sessions__IdleTimeout"] = "3s" } };
        try
        {
            await harness.InitializeAsync();
            var bare = await harness.AddOperatorAsync("idlebare");
            var tunnel = await harness.AddOperatorAsync("idletunnel", role: "tunnel");
            long s0 = Totp.CurrentStep();

            // ssh -N: no channel at all.
            var clock = Stopwatch.StartNew();
            var args = harness.ClientOptions("idlebare:web01", bare.KeyFile);
            args.AddRange(["-N", "127.0.0.1"]);
            var noChannel = await ProcessRunner.RunAsync("ssh", args, TimeSpan.FromSeconds(25),
                environment: harness.Askpass(await Totp.CodeAsync(bare.Secret, s0), null).Environment);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"ssh -N stayed connected for {clock.Elapsed}");
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"cut after {clock.Elapsed}");
            Assert.Contains("idle", noChannel.StandardError);
            var cut = await harness.WaitForAuditAsync(e => e.Type == "connection.end" && e.User == "idlebare", "connection.end of idlebare");
            Assert.Equal("idle-timeout", cut.Detail("reason"));

            // ssh -N -L: a forwarded connection that carries nothing from the operator; the target's banner (output) is not activity.
            int localPort = FreeLocalPort();
            args = harness.ClientOptions("idletunnel:web01", tunnel.KeyFile);
            args.AddRange(["-N", "-L", $"127.0.0.1:{localPort}:127.0.0.1:{harness.Target.Port}", "127.0.0.1"]);
            await using var forward = InteractiveSsh.Start(args, harness.Askpass(await Totp.CodeAsync(tunnel.Secret, s0), null).Environment);
            using var client = await ConnectWhenListeningAsync(localPort);
            clock.Restart();
            var stream = client.GetStream();
            var banner = new byte[256];
            int read = await stream.ReadAsync(banner).AsTask().WaitAsync(Short);
            Assert.StartsWith("SSH-2.0-", System.Text.Encoding.ASCII.GetString(banner, 0, read));
            // The forward is cut: the local end sees EOF (or a reset) instead of waiting forever.
            while (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                try
                {
                    if (await stream.ReadAsync(banner).AsTask().WaitAsync(TimeSpan.FromSeconds(20)) == 0) break;
                }
                catch (IOException)
                {
                    break;
                }
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the idle forward stayed open for {clock.Elapsed}");
            Assert.NotEqual(0, await forward.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            var closed = await harness.WaitForAuditAsync(e => e.Type == "session.forward" && e.User == "idletunnel" && e.Detail("state") == "closed",
                "session.forward closed of idletunnel");
            Assert.Equal("idle-timeout", closed.Detail("reason"));
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    private static int FreeLocalPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Connects to ssh's -L port once it listens (bounded: ssh listens only after logging in).</summary>
    private static async Task<System.Net.Sockets.TcpClient> ConnectWhenListeningAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return client;
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < Short)
            {
                client.Dispose();
                await Task.Delay(200);
            }
        }
    }
}
