using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>fumidai ssh-config USER</c>: the bastion entry, her targets through ProxyJump, the known_hosts lines.</summary>
public sealed class SshConfigCommandTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public SshConfigCommandTests(InitializedCli fixture) => _cli = fixture.Cli;

    private async Task SetUpAsync()
    {
        if ((await _cli.RunAsync("user", "show", "nora")).ExitCode == 0) return;
        var hostKey = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey.ToOpenSsh();
        await _cli.OkAsync("target", "add", "web01", "--host", "10.0.0.5", "--port", "22", "--login", "root,deploy", "--host-key", hostKey);
        await _cli.OkAsync("target", "add", "db01", "--host", "10.0.0.6", "--port", "22", "--login", "root", "--host-key", hostKey);
        await _cli.OkAsync("role", "add", "webops", "--targets", "web*", "--logins", "deploy");
        var (key, _) = _cli.NewPublicKeyFile("nora");
        await _cli.OkAsync("user", "add", "nora", "--key", key, "--role", "webops");
    }

    [Fact]
    public async Task It_lists_the_bastion_and_only_her_targets_through_ProxyJump_with_her_login()
    {
        await SetUpAsync();

        var result = await _cli.OkAsync("ssh-config", "nora", "--host", "bastion.example.com");

        Assert.Contains("Host fumidai\n    HostName bastion.example.com\n    Port 2222\n    User nora\n", result.Out);
        Assert.Contains("Host web01\n    HostName web01\n    User deploy\n    ProxyJump fumidai\n", result.Out);
        Assert.DoesNotContain("db01", result.Out);
    }

    [Fact]
    public async Task The_known_hosts_lines_pin_the_bastions_host_keys()
    {
        await SetUpAsync();

        var result = await _cli.OkAsync("ssh-config", "nora", "--host", "bastion.example.com", "--known-hosts");

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ed25519 = SshPublicKey.ParseOpenSsh(File.ReadAllText(Path.Combine(_cli.DataPath, "host_ed25519.pub")).Trim());
        Assert.Contains("[bastion.example.com]:2222 " + ed25519.ToOpenSsh(), lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("[bastion.example.com]:2222 ", StringComparison.Ordinal)));
        // The host CA, for her targets' names only: what ssh -J to them is answered with.
        var hostCa = SshPublicKey.ParseOpenSsh(File.ReadAllText(Path.Combine(_cli.DataPath, "host_ca.pub")).Trim());
        Assert.Contains("@cert-authority web01 " + hostCa.ToOpenSsh(), lines);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task An_unknown_user_or_a_bad_host_is_refused()
    {
        Assert.Equal(3, (await _cli.RunAsync("ssh-config", "nobody")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("ssh-config", "boss", "--host", "a b")).ExitCode);
    }
}
