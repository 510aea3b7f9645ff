using System.Text;
using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class TargetCommandTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public TargetCommandTests(InitializedCli fixture) => _cli = fixture.Cli;

    [Fact]
    public async Task Target_add_with_a_host_key_pins_it_and_defaults_to_certificates()
    {
        using var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        await _cli.OkAsync("target", "add", "web01", "--host", "10.0.0.5", "--login", "deploy", "--login", "ec2-user",
            "--host-key", hostKey.PublicKey.ToString());

        var target = (await (await _cli.StoreAsync()).GetTargetAsync("web01"))!;
        Assert.Equal("10.0.0.5", target.Host);
        Assert.Equal(22, target.Port);
        Assert.Equal(["deploy", "ec2-user"], target.Logins);
        Assert.Equal([hostKey.PublicKey.ToString()], target.HostKeys);
        Assert.Null(target.EncryptedPrivateKey);

        var shown = JsonDocument.Parse((await _cli.OkAsync("target", "show", "web01", "--json")).Out).RootElement;
        Assert.Equal("certificate", shown.GetProperty("credential").GetString());
        Assert.Equal(hostKey.PublicKey.Fingerprint, shown.GetProperty("hostKeys")[0].GetProperty("fingerprint").GetString());
        Assert.Contains("web01", (await _cli.OkAsync("target", "list")).Out);

        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("target", "add", "web01", "--host", "x", "--host-key", hostKey.PublicKey.ToString())).ExitCode);
    }

    [Fact]
    public async Task Target_add_stores_a_key_encrypted_for_that_target()
    {
        using var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        using var credential = SshPrivateKey.Generate("ssh-ed25519");
        string keyFile = _cli.File("db-key");
        File.WriteAllText(keyFile, OpenSshPrivateKeyFile.Format(credential, "db credential"));
        await _cli.OkAsync("target", "add", "db01", "--host", "db01.internal", "--port", "2200", "--login", "postgres",
            "--host-key", hostKey.PublicKey.ToString(), "--key", keyFile);

        var target = (await (await _cli.StoreAsync()).GetTargetAsync("db01"))!;
        Assert.Equal(2200, target.Port);
        var plain = _cli.Data.LoadProtector().Unprotect(target.EncryptedPrivateKey!, "target-key:db01");
        using var stored = SshPrivateKey.Parse(Encoding.UTF8.GetString(plain), null, out _);
        Assert.True(stored.PublicKey.BlobEquals(credential.PublicKey));
        Assert.DoesNotContain("PRIVATE KEY", (await _cli.OkAsync("target", "show", "db01", "--json")).Out);
    }

    [Fact]
    public async Task Target_add_without_a_pinned_host_key_is_refused()
    {
        var result = await _cli.RunAsync("target", "add", "nokey", "--host", "10.0.0.9", "--login", "root");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--host-key", result.Error);
        Assert.Null(await (await _cli.StoreAsync()).GetTargetAsync("nokey"));
    }

    [Fact]
    public async Task Target_add_scan_against_a_private_sshd_pins_the_confirmed_key()
    {
        await using var sshd = await PrivateSshd.StartAsync([], ed25519Only: true);
        var hostKey = sshd.HostKeys[0];
        string port = sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var declined = await _cli.RunAsync(["target", "add", "scanned", "--host", "127.0.0.1", "--port", port, "--login", "root", "--scan"], "n\n");
        Assert.Equal(ExitCodes.Failure, declined.ExitCode);
        Assert.Contains(hostKey.Fingerprint, declined.Out);
        Assert.Null(await (await _cli.StoreAsync()).GetTargetAsync("scanned"));

        var confirmed = await _cli.RunAsync(["target", "add", "scanned", "--host", "127.0.0.1", "--port", port, "--login", "root", "--scan"], "yes\n");
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Contains(hostKey.Fingerprint, confirmed.Out);
        Assert.Contains("[y/N]", confirmed.Error);
        Assert.Equal([hostKey.ToString()], (await (await _cli.StoreAsync()).GetTargetAsync("scanned"))!.HostKeys);

        var unattended = await _cli.OkAsync("target", "add", "scanned2", "--host", "127.0.0.1", "--port", port, "--login", "root", "--scan", "--yes");
        Assert.Contains(hostKey.Fingerprint, unattended.Out);
        Assert.Equal([hostKey.ToString()], (await (await _cli.StoreAsync()).GetTargetAsync("scanned2"))!.HostKeys);
    }

    [Fact]
    public async Task Target_add_scan_of_a_closed_port_fails_clearly()
    {
        var result = await _cli.RunAsync("target", "add", "closed", "--host", "127.0.0.1", "--port", "1", "--login", "root", "--scan", "--yes");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("127.0.0.1:1", result.Error);
    }

    [Fact]
    public async Task Target_remove_deletes_it_and_is_audited()
    {
        using var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        await _cli.OkAsync("target", "add", "old01", "--host", "old01", "--login", "root", "--host-key", hostKey.PublicKey.ToString());
        await _cli.OkAsync("target", "remove", "old01");
        Assert.Null(await (await _cli.StoreAsync()).GetTargetAsync("old01"));
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("target", "remove", "old01")).ExitCode);
        var audit = JsonDocument.Parse((await _cli.OkAsync("audit", "--json")).Out).RootElement.EnumerateArray();
        Assert.Contains(audit, e => e.GetProperty("target").GetString() == "old01"
            && e.GetProperty("details").GetProperty("action").GetString() == "target.remove");
    }

    [Fact]
    public async Task Target_set_changes_only_the_parts_given_and_shows_old_and_new_host_key_fingerprints()
    {
        using var oldKey = SshPrivateKey.Generate("ssh-ed25519");
        using var newKey = SshPrivateKey.Generate("ssh-ed25519");
        await _cli.OkAsync("target", "add", "edit01", "--host", "10.0.0.7", "--port", "2201", "--login", "root", "--host-key", oldKey.PublicKey.ToString());

        var set = await _cli.OkAsync("target", "set", "edit01", "--host-key", newKey.PublicKey.ToString(), "--login", "deploy");

        var target = (await (await _cli.StoreAsync()).GetTargetAsync("edit01"))!;
        Assert.Equal("10.0.0.7", target.Host);
        Assert.Equal(2201, target.Port);
        Assert.Equal(["deploy"], target.Logins);
        Assert.Equal([newKey.PublicKey.ToString()], target.HostKeys);
        Assert.Contains(oldKey.PublicKey.Fingerprint, set.Out);
        Assert.Contains(newKey.PublicKey.Fingerprint, set.Out);

        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("target", "set", "nosuch", "--port", "22")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("target", "set", "edit01")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("target", "set", "edit01", "--scan", "--host-key", oldKey.PublicKey.ToString())).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("target", "set", "edit01", "--port", "70000")).ExitCode);
        Assert.Equal([newKey.PublicKey.ToString()], (await (await _cli.StoreAsync()).GetTargetAsync("edit01"))!.HostKeys);
    }
}
