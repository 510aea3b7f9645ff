using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>Debian's ssh as a deploy script would use it: a machine account's key, no code, from an allowed address only.</summary>
public sealed class MachineAccountEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private readonly BastionHarness _h;

    public MachineAccountEndToEndTests(BastionHarness harness) => _h = harness;

    public async Task InitializeAsync()
    {
        await _h.EnsureBastionRunningAsync();
        if (!(await _h.CliAsync("role", "list")).Output.Contains("deployer"))
            await _h.MustAsync("role", "add", "deployer", "--targets", "web01", "--logins", "root", "--allow", "exec,scp");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Operator> MachineAsync(string name, string from)
    {
        string key = _h.Directory.Combine("key_" + name);
        var keygen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key], BastionHarness.ProcessTimeout);
        Assert.True(keygen.ExitCode == 0, keygen.StandardError);
        var add = await _h.MustAsync("user", "add", name, "--machine", "--key", key + ".pub", "--role", "deployer", "--from", from);
        Assert.DoesNotContain("otpauth://", add.Output);
        return new Operator(name, key, "", null);
    }

    [Fact]
    public async Task An_exec_from_an_allowed_address_needs_no_code_and_is_recorded_as_a_machine_account()
    {
        var deploy = await MachineAsync("deploy", "10.0.0.0/8,127.0.0.1/32");

        var result = await _h.SshExecAsync(deploy, "deploy:web01", "echo DEPLOYED_$((6*7)); exit 4", code: null, batch: true);

        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}: {result.Output} {result.StandardError}");
        Assert.Contains("DEPLOYED_42", result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login" && e.User == "deploy" && e.Detail("account") == "machine", "machine login");
        await _h.WaitForAuditAsync(e => e.Type == "session.start" && e.User == "deploy" && e.Detail("account") == "machine", "machine session");
        var list = await _h.MustAsync("user", "list");
        Assert.Matches(@"deploy\s+machine", list.Output);
        Assert.Contains("\"kind\": \"machine\"", (await _h.MustAsync("user", "show", "deploy", "--json")).Output);
    }

    [Fact]
    public async Task Outside_its_addresses_it_is_refused()
    {
        var far = await MachineAsync("farbot", "10.9.0.0/16");

        var result = await _h.SshExecAsync(far, "farbot:web01", "echo SHOULD_NOT_RUN", code: null, batch: true);

        Assert.Equal(255, result.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "farbot" && e.Detail("reason").Contains("outside"), "refusal");
    }

    [Fact]
    public async Task A_shell_is_refused_when_its_role_does_not_allow_one()
    {
        var bot = await MachineAsync("shellbot", "127.0.0.1");
        var args = _h.ClientOptions("shellbot:web01", bot.KeyFile, batch: true);
        args.AddRange(["-tt", "127.0.0.1"]);

        var result = await ProcessRunner.RunAsync("ssh", args, BastionHarness.ProcessTimeout, "exit\n"u8.ToArray());

        Assert.NotEqual(0, result.ExitCode);
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "shellbot", "shell refusal");
    }

    [Fact]
    public async Task The_command_line_refuses_a_machine_account_without_from_or_with_a_password()
    {
        string key = _h.Directory.Combine("key_bad");
        await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], BastionHarness.ProcessTimeout);

        var noFrom = await _h.CliAsync("user", "add", "nofrom", "--machine", "--key", key + ".pub", "--role", "deployer");
        var badFrom = await _h.CliAsync("user", "add", "badfrom", "--machine", "--key", key + ".pub", "--role", "deployer", "--from", "10.0.0.0/99");
        var fromAlone = await _h.CliAsync("user", "add", "fromalone", "--key", key + ".pub", "--from", "10.0.0.0/8");

        Assert.All([noFrom, badFrom, fromAlone], r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("--from", noFrom.Error);
        Assert.DoesNotContain("nofrom", (await _h.MustAsync("user", "list")).Output);
    }
}
