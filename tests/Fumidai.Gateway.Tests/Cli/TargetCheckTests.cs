using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Audit;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>target check</c> and <c>target setup-snippet</c> against Debian's sshd, as an administrator setting up a new target.</summary>
public sealed class TargetCheckTests
{
    [Fact]
    public async Task A_target_that_trusts_the_user_ca_passes_every_step_and_the_check_is_audited()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var ca = SshPublicKey.ParseOpenSsh((await cli.OkAsync("ca", "show")).Out.Trim());
        await using var sshd = await PrivateSshd.StartAsync([], trustedUserCaKeys: [ca], ed25519Only: true);
        await AddAsync(cli, "web01", sshd.Port, sshd.HostKeys[0]);

        var check = await cli.OkAsync("target", "check", "web01");
        Assert.Contains($"checking web01 (127.0.0.1:{sshd.Port}) as root", check.Out);
        Assert.Contains("ok    TCP connection", check.Out);
        Assert.Contains($"ok    host key matches the pinned ssh-ed25519 {sshd.HostKeys[0].Fingerprint}", check.Out);
        Assert.Contains("ok    certificate from the bastion's user CA accepted for root", check.Out);
        Assert.Contains("ok    root's login shell runs commands", check.Out);
        Assert.Contains("web01 is ready", check.Out);
        Assert.True(await sshd.WaitForLogAsync("fumidai:check-"), "the certificate's key id should name the check in the target's log:\n" + sshd.Log);

        var json = JsonDocument.Parse((await cli.OkAsync("target", "check", "web01", "--json")).Out).RootElement;
        Assert.Equal(["tcp", "host-key", "login", "shell"], json.EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.All(json.EnumerateArray(), s => Assert.True(s.GetProperty("ok").GetBoolean()));
        var audit = await (await cli.StoreAsync()).ListAuditAsync(null);
        Assert.Contains(audit, e => e.Type == AuditTypes.TargetCheck && e.Target == "web01" && e.Details["result"] == "ok");
    }

    [Fact]
    public async Task A_target_without_the_ca_fails_at_the_certificate_and_the_snippet_makes_it_pass()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        await using var untrusting = await PrivateSshd.StartAsync([], ed25519Only: true);
        await AddAsync(cli, "web02", untrusting.Port, untrusting.HostKeys[0]);

        var refused = await cli.RunAsync("target", "check", "web02");
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("ok    host key matches", refused.Out);
        Assert.Contains("FAIL  certificate from the bastion's user CA refused for root", refused.Out);
        Assert.Contains("fumidai target setup-snippet web02", refused.Error);
        Assert.DoesNotContain("is ready", refused.Out);

        // The snippet's CA line is the one `ca show` prints, and it names the target's logins.
        string snippet = (await cli.OkAsync("target", "setup-snippet", "web02")).Out;
        string caLine = (await cli.OkAsync("ca", "show")).Out.Trim();
        Assert.Contains(caLine, snippet);
        Assert.Contains("TrustedUserCAKeys /etc/ssh/fumidai_user_ca.pub", snippet);
        Assert.Contains("logs in as: root", snippet);
        // Run the snippet's CA part for a private sshd (its own paths instead of /etc/ssh) and check again.
        await using var trusting = await PrivateSshd.StartAsync([], trustedUserCaKeys: [SshPublicKey.ParseOpenSsh(caLine)], ed25519Only: true);
        await cli.OkAsync("target", "set", "web02", "--port", trusting.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--host-key", trusting.HostKeys[0].ToString());
        Assert.Contains("web02 is ready", (await cli.OkAsync("target", "check", "web02")).Out);
    }

    [Fact]
    public async Task A_changed_host_key_and_a_closed_port_fail_at_their_own_step()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        await using var sshd = await PrivateSshd.StartAsync([], ed25519Only: true);
        using var other = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        await AddAsync(cli, "moved", sshd.Port, other.PublicKey);

        var mismatch = await cli.RunAsync("target", "check", "moved");
        Assert.Equal(ExitCodes.Failure, mismatch.ExitCode);
        Assert.Contains("ok    TCP connection", mismatch.Out);
        Assert.Contains("FAIL  host key:", mismatch.Out);
        Assert.Contains(sshd.HostKeys[0].Fingerprint, mismatch.Out);
        Assert.Contains("fumidai target set moved --scan", mismatch.Error);

        await cli.OkAsync("target", "set", "moved", "--port", "1");
        var closed = await cli.RunAsync("target", "check", "moved");
        Assert.Equal(ExitCodes.Failure, closed.ExitCode);
        Assert.Contains("FAIL  TCP connection to 127.0.0.1:1: ConnectionRefused", closed.Out);
    }

    [Fact]
    public async Task An_agent_target_is_checked_by_its_agents_state_and_cannot_be_given_an_address()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        await cli.OkAsync("target", "add", "webagent", "--agent", "--login", "root");

        // No agent has joined yet: the check says so and how to start one, instead of trying an address it does not have.
        var waiting = await cli.RunAsync("target", "check", "webagent");
        Assert.Equal(ExitCodes.Failure, waiting.ExitCode);
        Assert.Contains("checking webagent (through its agent) as root", waiting.Out);
        Assert.Contains("FAIL  agent: waiting-for-join", waiting.Out);
        Assert.DoesNotContain("TCP connection", waiting.Out);
        Assert.Contains("fumidai agent --bastion", waiting.Error);
        var json = JsonDocument.Parse((await cli.RunAsync("target", "check", "webagent", "--json")).Out).RootElement;
        var step = Assert.Single(json.EnumerateArray());
        Assert.Equal("agent", step.GetProperty("step").GetString());
        Assert.False(step.GetProperty("ok").GetBoolean());

        // An address, a port or a scan would turn it into a direct target behind its agent's back: refused, nothing changed.
        foreach (string[] change in new[] { new[] { "--host", "10.0.0.9" }, ["--port", "2200"], ["--scan", "--yes"] })
        {
            var refused = await cli.RunAsync(["target", "set", "webagent", .. change]);
            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            Assert.Contains("is reached through its agent", refused.Error);
        }
        var shown = JsonDocument.Parse((await cli.OkAsync("target", "show", "webagent", "--json")).Out).RootElement;
        Assert.Equal("", shown.GetProperty("host").GetString());
        // Logins still change as for any target.
        await cli.OkAsync("target", "set", "webagent", "--login", "deploy");
    }

    private static Task<CliResult> AddAsync(CliHarness cli, string name, int port, SshPublicKey hostKey) =>
        cli.OkAsync("target", "add", name, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--login", "root", "--host-key", hostKey.ToString());
}
