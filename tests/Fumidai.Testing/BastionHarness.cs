using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Fumidai.Cli;
using Fumidai.Cli.Infrastructure;
using Fumidai.Recording.Asciicast;
using Fumidai.Ssh.Keys;
using Xunit;

namespace Fumidai.Testing;

/// <summary>An operator of the bastion: a name, an ed25519 key made by ssh-keygen, the TOTP secret from <c>user add</c>.</summary>
public sealed record Operator(string Name, string KeyFile, string Secret, string? Password);

/// <summary>One audit event as <c>fumidai audit --json</c> prints it.</summary>
public sealed record AuditEntry(long Seq, string Type, string? User, string Outcome, string? Source, string? Target,
    IReadOnlyDictionary<string, string> Details)
{
    public string Detail(string key) => Details.TryGetValue(key, out var value) ? value : "";

    public override string ToString() =>
        $"{Type} {Outcome} user={User} target={Target} " + string.Join(' ', Details.Select(d => $"{d.Key}={d.Value}"));
}

/// <summary>
/// Everything an end-to-end test needs, shared by a test class: a data directory made by <c>fumidai init</c>, a private
/// Debian sshd that trusts the bastion's user CA (the target), a second sshd the operator hops to from the target,
/// <c>fumidai serve</c> as a real process, and helpers to run the CLI, Debian's ssh/scp/sftp and oathtool.
/// </summary>
/// <remarks>
/// Targets: <c>web01</c> (the target sshd, pinned correctly), <c>db01</c> (same server, outside role <c>ops</c>),
/// <c>webkey</c> (same server, pinned to another server's key), <c>webdown</c> (nothing listening).
/// Roles (all as root): <c>ops</c> (web*), <c>quick</c> (web01, idle timeout 4 s), <c>brief</c> (web01, maximum
/// session 4 s), <c>tunnel</c> (web01, port forwarding allowed), <c>scponly</c> (web01, scp and nothing else).
/// Admin commands run in-process through <see cref="FumidaiCommandLine"/>.
/// All tests connect from 127.0.0.1, so their failed logins share the bastion's per-source throttle (30 failures in
/// 5 minutes by default); the class stays well below it (about 16), keep it so when adding failure tests.
/// </remarks>
public sealed class BastionHarness : IAsyncLifetime
{
    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _cli = new(1, 1);
    private int _askpassCount;

    /// <summary>Configuration overrides for the bastion's environment, e.g. <c>FUMIDAI__Sessions__IdleTimeout</c>; set before initialising.</summary>
    /// <remarks>A short drain by default, so a SIGTERM with sessions open (a test's own, or one left at teardown) ends in seconds.</remarks>
    public Dictionary<string, string> BastionEnvironment { get; init; } = new() { ["FUMIDAI__Sessions__DrainTimeout"] = "3s" };

    /// <summary>
    /// Runs the CLI as the built executable with <see cref="BastionEnvironment"/> instead of in-process: for settings that the
    /// CLI must read from its environment too (a PostgreSQL connection string), which a test must not set in its own process.
    /// </summary>
    public bool CliInChildProcess { get; init; }

    public TempDirectory Directory { get; } = new("fumidai-e2e");

    public string DataPath => Directory.Combine("data");

    /// <summary>The target: a Debian sshd with TrustedUserCAKeys = the bastion's CA.</summary>
    public PrivateSshd Target { get; private set; } = null!;

    /// <summary>A second Debian sshd, reachable from the target with <see cref="HopKeyFile"/>.</summary>
    public PrivateSshd SecondHop { get; private set; } = null!;

    public string HopKeyFile { get; private set; } = "";

    public BastionProcess Bastion { get; private set; } = null!;

    public string KnownHostsFile => Directory.Combine("bastion_known_hosts");

    /// <summary>The file where the latest askpass helper logged the prompts it was shown.</summary>
    public string LastPromptLog { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var init = await CliAsync("init", "--admin", "admin");
        if (init.ExitCode != 0) throw new InvalidOperationException("fumidai init failed: " + init.Error);
        var ca = await CliAsync("ca", "show");
        if (ca.ExitCode != 0) throw new InvalidOperationException("fumidai ca show failed: " + ca.Error);
        var caKey = SshPublicKey.ParseOpenSsh(ca.Output.Trim());

        HopKeyFile = await NewKeyAsync("hop");
        // Its banner tells the operator's terminal (and the recording) that the second hop was reached.
        string banner = Directory.Combine("second_hop_banner");
        File.WriteAllText(banner, "SECOND-HOP-BANNER\n");
        SecondHop = await PrivateSshd.StartAsync([File.ReadAllText(HopKeyFile + ".pub").Trim()], extraConfig: ["Banner " + banner]);
        Target = await PrivateSshd.StartAsync([], [caKey]);

        await MustAsync("target", "add", "web01", "--host", PrivateSshd.Host, "--port", Target.Port.ToString(), "--login", "root",
            "--host-key", Target.HostKeys[0].ToString());
        await MustAsync("target", "add", "db01", "--host", PrivateSshd.Host, "--port", Target.Port.ToString(), "--login", "root",
            "--host-key", Target.HostKeys[0].ToString());
        // The right address, the wrong pinned key: what a changed (or spoofed) host key looks like to the bastion.
        await MustAsync("target", "add", "webkey", "--host", PrivateSshd.Host, "--port", Target.Port.ToString(), "--login", "root",
            "--host-key", SecondHop.HostKeys[0].ToString());
        // Nothing listens there: an unreachable target. Port 1 (tcpmux) rather than a "free" port, which another test's
        // sshd or bastion could be given later in the run.
        await MustAsync("target", "add", "webdown", "--host", PrivateSshd.Host, "--port", "1", "--login", "root",
            "--host-key", Target.HostKeys[0].ToString());
        await MustAsync("role", "add", "ops", "--targets", "web*", "--logins", "root");
        await MustAsync("role", "add", "quick", "--targets", "web01", "--logins", "root", "--idle-timeout", "4s");
        await MustAsync("role", "add", "brief", "--targets", "web01", "--logins", "root", "--max-session", "4s");
        await MustAsync("role", "add", "tunnel", "--targets", "web01", "--logins", "root", "--allow", "shell,exec,port-forward");
        await MustAsync("role", "add", "scponly", "--targets", "web01", "--logins", "root", "--allow", "scp");

        await StartBastionAsync();
    }

    /// <summary>Starts <c>fumidai serve</c> (a new port each time) and pins its host keys for the client.</summary>
    public async Task StartBastionAsync()
    {
        Bastion = await BastionProcess.StartAsync(DataPath, BastionEnvironment);
        var lines = new[] { "host_ed25519.pub", "host_rsa.pub" }
            .Select(f => SshPublicKey.ParseOpenSsh(File.ReadAllText(Path.Combine(DataPath, f)).Trim()))
            .Select(k => $"[127.0.0.1]:{Bastion.Port} {k}");
        File.WriteAllLines(KnownHostsFile, lines);
    }

    /// <summary>Pins the bastion's host keys for another node listening on <paramref name="port"/> (a node with the same keys).</summary>
    public void TrustBastionPort(int port)
    {
        var lines = new[] { "host_ed25519.pub", "host_rsa.pub" }
            .Select(f => SshPublicKey.ParseOpenSsh(File.ReadAllText(Path.Combine(DataPath, f)).Trim()))
            .Select(k => $"[127.0.0.1]:{port} {k}");
        File.AppendAllLines(KnownHostsFile, lines);
    }

    /// <summary>Restarts the bastion if an earlier test stopped or crashed it.</summary>
    public async Task EnsureBastionRunningAsync()
    {
        if (!Bastion.HasExited) return;
        await Bastion.DisposeAsync();
        await StartBastionAsync();
    }

    public async Task DisposeAsync()
    {
        if (Bastion is not null) await Bastion.DisposeAsync();
        if (Target is not null) await Target.DisposeAsync();
        if (SecondHop is not null) await SecondHop.DisposeAsync();
        Directory.Dispose();
    }

    // ---- the CLI ----

    public sealed record CliResult(int ExitCode, string Output, string Error);

    /// <summary>Runs <c>fumidai ARGS --data DATA</c> in-process (the same command tree as the executable).</summary>
    public async Task<CliResult> CliAsync(string[] args, string? input = null)
    {
        if (CliInChildProcess)
        {
            var run = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, .. args, "--data", DataPath], ProcessTimeout,
                input is null ? null : Encoding.UTF8.GetBytes(input), environment: BastionEnvironment);
            return new CliResult(run.ExitCode, run.Output, run.StandardError);
        }
        await _cli.WaitAsync();
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var console = new CliConsole(new StringReader(input ?? ""), output, error);
            using var timeout = new CancellationTokenSource(ProcessTimeout);
            int exit = await FumidaiCommandLine.RunAsync([.. args, "--data", DataPath], new CliRuntime(console), timeout.Token);
            return new CliResult(exit, output.ToString(), error.ToString());
        }
        finally
        {
            _cli.Release();
        }
    }

    public Task<CliResult> CliAsync(params string[] args) => CliAsync(args, null);

    /// <summary>Runs a CLI command that must succeed.</summary>
    public async Task<CliResult> MustAsync(params string[] args)
    {
        var result = await CliAsync(args);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"fumidai {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Output}");
        return result;
    }

    /// <summary><c>fumidai user add NAME --key NAME.pub --role ROLE [--password-stdin]</c>; the secret is parsed from the otpauth line.</summary>
    public async Task<Operator> AddOperatorAsync(string name, string role = "ops", string? password = null)
    {
        string key = await NewKeyAsync(name);
        var args = new List<string> { "user", "add", name, "--key", key + ".pub", "--role", role };
        if (password is not null) args.Add("--password-stdin");
        var result = await CliAsync([.. args], password is null ? null : password + "\n");
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"user add {name} failed: {result.Error}");
        string uri = result.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("otpauth://totp/", StringComparison.Ordinal));
        Assert.StartsWith($"otpauth://totp/Fumidai:{name}?", uri);
        string query = uri[(uri.IndexOf('?') + 1)..];
        string secret = query.Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == "secret")[1];
        return new Operator(name, key, secret, password);
    }

    private async Task<string> NewKeyAsync(string name)
    {
        string path = Directory.Combine("key_" + name);
        var result = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path], ProcessTimeout);
        if (result.ExitCode != 0) throw new InvalidOperationException("ssh-keygen failed: " + result.StandardError);
        return path;
    }

    /// <summary>The audit log through <c>fumidai audit --json</c>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync()
    {
        var result = await MustAsync("audit", "--json");
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(e => new AuditEntry(
            e.GetProperty("seq").GetInt64(),
            e.GetProperty("type").GetString()!,
            e.GetProperty("user").GetString(),
            e.GetProperty("outcome").GetString()!,
            e.GetProperty("source").GetString(),
            e.GetProperty("target").GetString(),
            e.GetProperty("details").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""))).ToList();
    }

    /// <summary>Polls the audit log (bounded) until an event matches; the bastion writes some events after the client has left.</summary>
    public async Task<AuditEntry> WaitForAuditAsync(Func<AuditEntry, bool> match, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var events = await AuditAsync();
            if (events.FirstOrDefault(match) is { } found) return found;
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
                throw new Xunit.Sdk.XunitException($"no audit event {what}; the log has:\n" + string.Join('\n', events.TakeLast(40)));
            await Task.Delay(200);
        }
    }

    /// <summary><c>fumidai sessions list --json [--user U]</c>.</summary>
    public async Task<List<JsonElement>> SessionsAsync(string? user = null)
    {
        var args = new List<string> { "sessions", "list", "--json" };
        if (user is not null) args.AddRange(["--user", user]);
        var result = await MustAsync([.. args]);
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>Polls (bounded) until the user's sessions satisfy <paramref name="match"/>.</summary>
    public async Task<JsonElement> WaitForSessionAsync(string user, Func<JsonElement, bool> match, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var sessions = await SessionsAsync(user);
            foreach (var session in sessions)
            {
                if (match(session)) return session;
            }
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
                throw new Xunit.Sdk.XunitException($"no session of {user} {what}; sessions: " + string.Join('\n', sessions.Select(s => s.GetRawText())));
            await Task.Delay(200);
        }
    }

    /// <summary><c>fumidai sessions export ID -o FILE</c>, then what a terminal shows for <c>asciinema cat FILE</c>.</summary>
    public async Task<string> ExportAndCatAsync(string sessionId)
    {
        string cast = Directory.Combine($"export-{sessionId}.cast");
        await MustAsync("sessions", "export", sessionId, "-o", cast);
        Assert.True(File.Exists(cast), "the export wrote no file");
        // asciinema cat needs a terminal: script gives it one.
        var result = await ProcessRunner.RunAsync("script", ["-qec", $"asciinema cat '{cast}'", "/dev/null"], ProcessTimeout);
        Assert.True(result.ExitCode == 0, $"asciinema cat failed ({result.ExitCode}): {result.StandardError}{result.Output}");
        return result.Output;
    }

    /// <summary>The events of a session's recording, as <c>fumidai sessions export</c> writes them.</summary>
    public async Task<IReadOnlyList<AsciicastEvent>> RecordingEventsAsync(string sessionId)
    {
        string cast = Directory.Combine($"events-{sessionId}.cast");
        await MustAsync("sessions", "export", sessionId, "-o", cast);
        return AsciicastReader.ReadFile(cast).Events;
    }

    // ---- Debian's OpenSSH client ----

    /// <summary>Options shared by ssh, scp and sftp: no user configuration, pinned bastion host keys, the bastion's port.</summary>
    /// <param name="port">Another bastion node sharing this one's keys (pinned with <see cref="TrustBastionPort"/>); default: <see cref="Bastion"/>.</param>
    public List<string> ClientOptions(string loginName, string? keyFile, bool batch = false, int passwordPrompts = 1, int? port = null)
    {
        var options = new List<string>
        {
            "-F", "/dev/null",
            "-o", "Port=" + (port ?? Bastion.Port),
            "-o", "User=" + loginName,
            "-o", "UserKnownHostsFile=" + KnownHostsFile,
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UpdateHostKeys=no",
            "-o", "ConnectTimeout=30",
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "NumberOfPasswordPrompts=" + passwordPrompts,
            "-o", "BatchMode=" + (batch ? "yes" : "no"),
        };
        if (keyFile is null) options.AddRange(["-o", "PubkeyAuthentication=no"]);
        else options.AddRange(["-o", "IdentityFile=" + keyFile]);
        return options;
    }

    /// <summary>Askpass for the client: answers the TOTP prompt with <paramref name="code"/> and a password prompt with the password.</summary>
    public (Dictionary<string, string> Environment, string PromptLog) Askpass(string? code, string? password)
    {
        int n = Interlocked.Increment(ref _askpassCount);
        string script = Directory.Combine($"askpass-{n}.sh");
        string log = Directory.Combine($"askpass-{n}.log");
        File.WriteAllText(log, "");
        var text = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append("printf '%s\\n' \"$1\" >> '").Append(log).Append("'\n")
            .Append("case \"$1\" in\n");
        if (code is not null) text.Append("  *'Verification code'*) printf '%s\\n' '").Append(code).Append("' ;;\n");
        if (password is not null) text.Append("  *assword*) printf '%s\\n' '").Append(password.Replace("'", "'\\''")).Append("' ;;\n");
        text.Append("  *) exit 1 ;;\nesac\n");
        File.WriteAllText(script, text.ToString());
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LastPromptLog = log;
        return (new Dictionary<string, string>
        {
            ["SSH_ASKPASS"] = script,
            ["SSH_ASKPASS_REQUIRE"] = "force",
            ["DISPLAY"] = ":0",
        }, log);
    }

    /// <summary><c>ssh LOGIN@bastion COMMAND</c> with key (or password) and the given TOTP code.</summary>
    public async Task<ProcessRunner.Result> SshExecAsync(Operator op, string loginName, string command, string? code, bool usePassword = false,
        bool batch = false, TimeSpan? timeout = null, int passwordPrompts = 1, string[]? sshArguments = null, byte[]? input = null, int? port = null)
    {
        var args = ClientOptions(loginName, usePassword ? null : op.KeyFile, batch, passwordPrompts, port);
        args.AddRange(sshArguments ?? []);
        args.AddRange(["127.0.0.1", command]);
        var environment = batch ? new Dictionary<string, string>() : Askpass(code, usePassword ? op.Password : null).Environment;
        if (batch)
        {
            // No askpass at all: nothing could answer a prompt.
            environment["SSH_ASKPASS"] = "/nonexistent";
            environment["SSH_ASKPASS_REQUIRE"] = "never";
        }
        return await ProcessRunner.RunAsync("ssh", args, timeout ?? ProcessTimeout, input, environment: environment);
    }

    /// <summary>A new operator's shell on web01 through the bastion, shown working (a command ran) and listed as running.</summary>
    public async Task<InteractiveSsh> OpenWorkingShellAsync(string user)
    {
        var wait = TimeSpan.FromSeconds(30);
        var op = await AddOperatorAsync(user);
        var ssh = SshInteractive(op, $"{user}:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        int prompt = await ssh.WaitForAsync("# ", wait);
        await ssh.TypeAsync("echo OPEN_$((6*7))\r");
        await ssh.WaitForAsync("OPEN_42", wait, prompt);
        await WaitForSessionAsync(user, s => s.GetProperty("status").GetString() == "running", "running");
        return ssh;
    }

    /// <summary>Starts <c>ssh -tt LOGIN@bastion</c> (a terminal session) with the key and the given TOTP code.</summary>
    public InteractiveSsh SshInteractive(Operator op, string loginName, string code, int? port = null)
    {
        var args = new List<string> { "-tt", "-e", "none" };
        args.AddRange(ClientOptions(loginName, op.KeyFile, port: port));
        args.Add("127.0.0.1");
        return InteractiveSsh.Start(args, Askpass(code, null).Environment);
    }

    /// <summary>Runs scp or sftp through the bastion (key + code).</summary>
    public Task<ProcessRunner.Result> RunClientAsync(string program, Operator op, string loginName, string code, IEnumerable<string> arguments,
        byte[]? input = null)
    {
        var args = ClientOptions(loginName, op.KeyFile);
        args.AddRange(arguments);
        return ProcessRunner.RunAsync(program, args, ProcessTimeout, input, environment: Askpass(code, null).Environment);
    }
}
