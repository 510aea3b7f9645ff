using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Debian's <c>ssh -J</c> (ProxyJump from the file <c>fumidai ssh-config</c> prints) through the bastion to the private sshd:
/// the bastion ends the inner SSH with a host certificate, records the session and relays exec, exit status and scp.
/// The operator holds a login certificate, so no connection asks for a code (the askpass fails if asked).
/// </summary>
public sealed class ProxyJumpEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private readonly BastionHarness _h;
    private Operator _op = null!;

    public ProxyJumpEndToEndTests(BastionHarness harness) => _h = harness;

    public async Task InitializeAsync()
    {
        await _h.EnsureBastionRunningAsync();
        if (!(await _h.CliAsync("role", "list")).Output.Contains("jumpers"))
            await _h.MustAsync("role", "add", "jumpers", "--targets", "web01", "--logins", "root", "--mfa-ttl", "1h");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The config <c>ssh-config</c> prints, pointed at this bastion's port, plus test isolation; known_hosts pins the bastion and trusts the host CA.</summary>
    private async Task<string> ConfigAsync(bool trustHostCa = true)
    {
        string printed = (await _h.MustAsync("ssh-config", _op.Name, "--host", "127.0.0.1")).Output;
        string knownHosts = _h.Directory.Combine(trustHostCa ? "jump_known_hosts" : "jump_known_hosts_no_ca");
        var lines = File.ReadAllLines(_h.KnownHostsFile).ToList();
        if (trustHostCa) lines.Add((await _h.MustAsync("ca", "show", "--host")).Output.Trim());
        File.WriteAllLines(knownHosts, lines);
        string config = _h.Directory.Combine(trustHostCa ? "jump_config" : "jump_config_no_ca");
        File.WriteAllText(config, printed.Replace("Port 2222", "Port " + _h.Bastion.Port) + $"""

            Host *
                UserKnownHostsFile {knownHosts}
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                UpdateHostKeys no
                IdentityFile {_op.KeyFile}
                IdentitiesOnly yes
                IdentityAgent none
                ConnectTimeout 30
            """);
        return config;
    }

    private async Task EnsureCertificateAsync(Operator withSecret)
    {
        if (File.Exists(_op.KeyFile + "-cert.pub")) return;
        var cert = await _h.SshExecAsync(withSecret, withSecret.Name, "cert", await Totp.CodeAsync(withSecret.Secret, Totp.CurrentStep()));
        Assert.True(cert.ExitCode == 0, cert.StandardError);
        File.WriteAllText(_op.KeyFile + "-cert.pub", cert.Output);
    }

    private async Task<ProcessRunner.Result> JumpAsync(string config, IEnumerable<string> args, string program = "ssh", byte[]? input = null) =>
        await ProcessRunner.RunAsync(program, ["-F", config, .. args], BastionHarness.ProcessTimeout, input, environment: _h.Askpass(null, null).Environment);

    [Fact]
    public async Task Everything_through_a_jump()
    {
        // One test, in steps: the operator is added once (its code is needed once, for the certificate).
        var jade = await _h.AddOperatorAsync("jadejump", "jumpers");
        _op = jade;
        await EnsureCertificateAsync(jade);
        string config = await ConfigAsync();

        // exec and its exit status, recorded as a session that came through the jump
        var exec = await JumpAsync(config, ["web01", "echo JUMP_$((6*7)); exit 5"]);
        Assert.True(exec.ExitCode == 5, $"exit {exec.ExitCode}: {exec.Output} {exec.StandardError}");
        Assert.Contains("JUMP_42", exec.Output);
        Assert.Equal("", File.ReadAllText(_h.LastPromptLog));
        await _h.WaitForAuditAsync(e => e.Type == "session.start" && e.User == "jadejump" && e.Detail("via") == "proxyjump" && e.Target == "web01",
            "a recorded jump session");

        // a terminal session, recorded and searchable by its typed commands
        await using (var terminal = InteractiveSsh.Start(["-tt", "-e", "none", "-F", config, "web01"], _h.Askpass(null, null).Environment))
        {
            // At the prompt, so the command is indexed as typed at one (a slow shell start would leave it unmarked otherwise).
            await terminal.WaitForAsync("# ", TimeSpan.FromSeconds(30));
            await terminal.TypeAsync("echo PTY_$((6*7))\r");
            await terminal.WaitForAsync("PTY_42", TimeSpan.FromSeconds(30));
            await terminal.TypeAsync("exit\r");
            Assert.Equal(0, await terminal.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        var shell = await _h.WaitForSessionAsync("jadejump", s => s.GetProperty("kind").GetString() == "shell" && s.GetProperty("status").GetString() == "closed",
            "a closed jump shell");
        string shellId = shell.GetProperty("id").GetString()!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string commands = "";
        while (!commands.Contains("echo PTY_$((6*7))") && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(300);
            commands = (await _h.MustAsync("sessions", "commands", shellId)).Output;
        }
        Assert.True(commands.Contains("echo PTY_$((6*7))"), "sessions commands: " + commands);

        // scp both ways, byte-identical
        string local = _h.Directory.Combine("jump-upload.bin");
        File.WriteAllBytes(local, System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000));
        string remote = _h.Directory.Combine("jump-remote.bin");
        var up = await JumpAsync(config, [local, "web01:" + remote], "scp");
        Assert.True(up.ExitCode == 0, $"scp up: {up.StandardError}");
        string back = _h.Directory.Combine("jump-back.bin");
        var down = await JumpAsync(config, ["web01:" + remote, back], "scp");
        Assert.True(down.ExitCode == 0, $"scp down: {down.StandardError}");
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(back));

        // rsync over the jump, byte-identical
        string synced = _h.Directory.Combine("jump-rsync.bin");
        var rsync = await ProcessRunner.RunAsync("rsync", ["-e", $"ssh -F {config}", local, "web01:" + synced], BastionHarness.ProcessTimeout,
            environment: _h.Askpass(null, null).Environment);
        Assert.True(rsync.ExitCode == 0, $"rsync: {rsync.Output} {rsync.StandardError}");
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(synced));

        // several channels on one inner connection: a ControlMaster to web01 and two commands at once through it
        string socket = _h.Directory.Combine("jump-master.sock");
        int jumpLogins = (await _h.AuditAsync()).Count(e => e.Type == "login" && e.User == "jadejump" && e.Detail("via") == "proxyjump");
        await using (var master = InteractiveSsh.Start(["-F", config, "-o", "ControlMaster=yes", "-o", "ControlPath=" + socket, "-N", "web01"],
            _h.Askpass(null, null).Environment))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(socket) && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
            Assert.True(File.Exists(socket), "the ControlMaster did not come up: " + master.Error);
            var both = await Task.WhenAll(
                JumpAsync(config, ["-o", "ControlMaster=no", "-o", "ControlPath=" + socket, "web01", "sleep 1; echo FIRST; exit 6"]),
                JumpAsync(config, ["-o", "ControlMaster=no", "-o", "ControlPath=" + socket, "web01", "sleep 1; echo SECOND; exit 7"]));
            Assert.Equal((6, 7), (both[0].ExitCode, both[1].ExitCode));
            Assert.Contains("FIRST", both[0].Output);
            Assert.Contains("SECOND", both[1].Output);
        }
        int jumpLoginsAfter = (await _h.AuditAsync()).Count(e => e.Type == "login" && e.User == "jadejump" && e.Detail("via") == "proxyjump");
        Assert.Equal(jumpLogins + 1, jumpLoginsAfter);

        // a login no role grants on the target
        var outside = await JumpAsync(config, ["-l", "nobody", "web01", "echo SHOULD_NOT_RUN"]);
        Assert.NotEqual(0, outside.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", outside.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "jadejump" && e.Detail("via") == "proxyjump"
            && e.Detail("reason").Contains("no role grants nobody"), "the refused inner login");

        // a client that does not trust the host CA refuses the host certificate: no silent downgrade
        string untrusting = await ConfigAsync(trustHostCa: false);
        var refused = await JumpAsync(untrusting, ["web01", "echo SHOULD_NOT_RUN"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
        Assert.Contains("Host key verification failed", refused.StandardError);

        // a jump to something that is not a target is a plain forward, refused without port-forward
        var other = await JumpAsync(config, ["-W", "127.0.0.1:9", "fumidai"]);
        Assert.NotEqual(0, other.ExitCode);
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "jadejump" && e.Detail("request") == "direct-tcpip", "the refused forward");
    }

    [Fact]
    public async Task A_terminal_through_the_jump_that_hops_on_from_the_target_is_recorded_with_the_second_hop()
    {
        var nina = await _h.AddOperatorAsync("ninajump", "jumpers");
        _op = nina;
        await EnsureCertificateAsync(nina);
        string config = await ConfigAsync();

        await using (var terminal = InteractiveSsh.Start(["-tt", "-e", "none", "-F", config, "web01"], _h.Askpass(null, null).Environment))
        {
            int prompt = await terminal.WaitForAsync("# ", TimeSpan.FromSeconds(30));
            await terminal.TypeAsync("ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes " +
                $"-o BatchMode=yes -i {_h.HopKeyFile} -p {_h.SecondHop.Port} root@127.0.0.1\r");
            int banner = await terminal.WaitForAsync("SECOND-HOP-BANNER", TimeSpan.FromSeconds(30), prompt);
            int secondPrompt = await terminal.WaitForAsync("# ", TimeSpan.FromSeconds(30), banner);
            await terminal.TypeAsync("echo HOP2_$((6*7)) $SSH_CONNECTION\r");
            await terminal.WaitForAsync($"127.0.0.1 {_h.SecondHop.Port}", TimeSpan.FromSeconds(30), secondPrompt);
            await terminal.TypeAsync("exit\r");
            await terminal.WaitForAsync("Connection to 127.0.0.1 closed", TimeSpan.FromSeconds(30), secondPrompt);
            await terminal.TypeAsync("exit\r");
            Assert.Equal(0, await terminal.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        Assert.Equal("", File.ReadAllText(_h.LastPromptLog));
        Assert.True(await _h.SecondHop.WaitForLogAsync("Accepted publickey for root", TimeSpan.FromSeconds(10)), _h.SecondHop.Log);

        var shell = await _h.WaitForSessionAsync("ninajump", s => s.GetProperty("kind").GetString() == "shell" && s.GetProperty("status").GetString() == "closed",
            "the closed jump shell");
        string id = shell.GetProperty("id").GetString()!;
        await _h.WaitForAuditAsync(e => e.Type == "session.start" && e.User == "ninajump" && e.Detail("via") == "proxyjump" && e.Detail("session") == id,
            "the shell came through the jump");

        // The recording holds what the second hop printed, and the command index holds what was typed on both hops.
        string shown = await _h.ExportAndCatAsync(id);
        Assert.Contains("SECOND-HOP-BANNER", shown);
        Assert.Contains($"HOP2_42 127.0.0.1", shown);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string commands = "";
        while (!(commands.Contains("echo HOP2_$((6*7))") && commands.Contains($"-p {_h.SecondHop.Port} root@127.0.0.1"))
               && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(300);
            commands = (await _h.MustAsync("sessions", "commands", id)).Output;
        }
        Assert.True(commands.Contains($"-p {_h.SecondHop.Port} root@127.0.0.1"), "the hop command, in sessions commands: " + commands);
        Assert.True(commands.Contains("echo HOP2_$((6*7))"), "the command typed on the second hop, in sessions commands: " + commands);
    }

    [Fact]
    public async Task Ansible_reaches_a_target_through_the_jump_with_a_login_certificate_and_is_recorded()
    {
        var ansibleOperator = await _h.AddOperatorAsync("annajump", "jumpers");
        _op = ansibleOperator;
        await EnsureCertificateAsync(ansibleOperator);
        string config = await ConfigAsync();
        string home = _h.Directory.Combine("ansible-home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "ansible.cfg"), "[defaults]\n");
        var environment = new Dictionary<string, string>(_h.Askpass(null, null).Environment)
        {
            // Ansible's own ssh invocation, told to read the config ssh-config printed (ProxyJump through the bastion).
            ["ANSIBLE_SSH_ARGS"] = $"-F {config}",
            ["ANSIBLE_LOCAL_TEMP"] = Path.Combine(home, "local"),
            ["ANSIBLE_REMOTE_TEMP"] = "/tmp/.ansible-fumidai",
            // An empty ansible.cfg of its own, so no system or user configuration takes part.
            ["ANSIBLE_CONFIG"] = Path.Combine(home, "ansible.cfg"),
            ["ANSIBLE_PYTHON_INTERPRETER"] = "/usr/bin/python3",
            ["ANSIBLE_NOCOLOR"] = "1",
            ["HOME"] = home,
        };
        int jumpSessions = (await _h.AuditAsync()).Count(e => e.Type == "session.start" && e.User == "annajump" && e.Detail("via") == "proxyjump");

        var ping = await ProcessRunner.RunAsync("ansible", ["all", "-i", "web01,", "-m", "ping"], BastionHarness.ProcessTimeout, environment: environment);
        Assert.True(ping.ExitCode == 0, $"ansible ping: {ping.Output} {ping.StandardError}");
        Assert.Contains("\"ping\": \"pong\"", ping.Output);
        var command = await ProcessRunner.RunAsync("ansible", ["all", "-i", "web01,", "-m", "command", "-a", "echo ANSIBLE_$((6*7))"],
            BastionHarness.ProcessTimeout, environment: environment);
        // The command module runs no shell: the text comes back as typed, which shows it ran on the target through the jump.
        Assert.True(command.ExitCode == 0, $"ansible command: {command.Output} {command.StandardError}");
        Assert.Contains("ANSIBLE_$((6*7))", command.Output);
        Assert.Equal("", File.ReadAllText(_h.LastPromptLog));

        // Every step Ansible ran on the target is a recorded session that came through the jump.
        var after = (await _h.AuditAsync()).Where(e => e.Type == "session.start" && e.User == "annajump" && e.Detail("via") == "proxyjump").ToList();
        Assert.True(after.Count >= jumpSessions + 2, $"{after.Count - jumpSessions} jump sessions for two ansible runs");
        var sessions = await _h.SessionsAsync("annajump");
        Assert.Contains(sessions, s => s.GetProperty("command").GetString() is { } c && c.Contains("python3", StringComparison.Ordinal));
    }
}
