using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>role add|set --mfa-ttl --mfa-source-bound</c>: at most 12 hours, 0 turns it off, each option changes only its part.</summary>
public sealed class RoleCertificateOptionTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public RoleCertificateOptionTests(InitializedCli fixture) => _cli = fixture.Cli;

    private async Task<RoleLoginCertificates?> SettingAsync(string role)
    {
        var store = await _cli.StoreAsync();
        return (await store.ListRoleLoginCertificatesAsync()).FirstOrDefault(s => s.Role == role);
    }

    [Fact]
    public async Task A_lifetime_over_12_hours_is_refused_and_adds_no_role()
    {
        var result = await _cli.RunAsync("role", "add", "toolong", "--targets", "web*", "--logins", "root", "--mfa-ttl", "13h");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("12h", result.Error);
        Assert.Equal(3, (await _cli.RunAsync("role", "set", "toolong", "--mfa-ttl", "1h")).ExitCode);
    }

    [Fact]
    public async Task Add_sets_it_set_changes_one_part_and_0_turns_it_off()
    {
        await _cli.OkAsync("role", "add", "daily", "--targets", "web*", "--logins", "root", "--mfa-ttl", "8h", "--mfa-source-bound");
        Assert.Equal(new RoleLoginCertificates("daily", TimeSpan.FromHours(8), true), await SettingAsync("daily"));

        await _cli.OkAsync("role", "set", "daily", "--mfa-ttl", "2h");
        Assert.Equal(new RoleLoginCertificates("daily", TimeSpan.FromHours(2), true), await SettingAsync("daily"));

        await _cli.OkAsync("role", "set", "daily", "--mfa-ttl", "0");
        Assert.Equal(TimeSpan.Zero, (await SettingAsync("daily"))!.Lifetime);

        await _cli.OkAsync("role", "add", "plain", "--targets", "web*", "--logins", "root");
        Assert.Null(await SettingAsync("plain"));
    }
}
