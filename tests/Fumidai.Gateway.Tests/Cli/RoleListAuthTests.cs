using System.Text.Json;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>role list</c> shows how each role's holders give their second factor for SSH logins.</summary>
public sealed class RoleListAuthTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public RoleListAuthTests(InitializedCli fixture) => _cli = fixture.Cli;

    [Fact]
    public async Task Role_list_and_its_json_show_each_roles_auth_mode()
    {
        await _cli.OkAsync("role", "add", "approvers", "--targets", "web*", "--logins", "root", "--auth", "sso");
        await _cli.OkAsync("role", "add", "coders", "--targets", "web*", "--logins", "root");
        await _cli.OkAsync("role", "add", "switched", "--targets", "web*", "--logins", "root", "--auth", "sso");
        await _cli.OkAsync("role", "set", "switched", "--auth", "totp");

        var listed = JsonDocument.Parse((await _cli.OkAsync("role", "list", "--json")).Out).RootElement.EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("auth").GetString());
        Assert.Equal("sso", listed["approvers"]);
        Assert.Equal("totp", listed["coders"]);
        Assert.Equal("totp", listed["switched"]);
        Assert.Equal("totp", listed["admin"]);

        var table = (await _cli.OkAsync("role", "list")).Out.Split('\n');
        Assert.Contains("AUTH", table[0]);
        Assert.Matches(@"^approvers\s.*\ssso(\s|$)", table.Single(l => l.StartsWith("approvers ", StringComparison.Ordinal)));
        Assert.Matches(@"^coders\s.*\stotp(\s|$)", table.Single(l => l.StartsWith("coders ", StringComparison.Ordinal)));
    }
}
