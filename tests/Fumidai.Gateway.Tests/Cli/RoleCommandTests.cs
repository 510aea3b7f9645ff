using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Policy;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class RoleCommandTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public RoleCommandTests(InitializedCli fixture) => _cli = fixture.Cli;

    [Fact]
    public async Task Role_add_list_remove()
    {
        await _cli.OkAsync("role", "add", "dba", "--targets", "db*,pg-?", "--logins", "postgres,ubuntu", "--allow", "shell,port-forward",
            "--idle-timeout", "5m", "--max-session", "8h");
        await _cli.OkAsync("role", "add", "web", "--targets", "web*", "--logins", "deploy");

        var roles = (await (await _cli.StoreAsync()).ListRolesAsync()).ToDictionary(r => r.Name);
        Assert.Equal(["db*", "pg-?"], roles["dba"].TargetPatterns);
        Assert.Equal(["postgres", "ubuntu"], roles["dba"].Logins);
        Assert.Equal([ChannelKinds.Shell, ChannelKinds.PortForward], roles["dba"].Allow);
        Assert.Equal(TimeSpan.FromMinutes(5), roles["dba"].IdleTimeout);
        Assert.Equal(TimeSpan.FromHours(8), roles["dba"].MaxSession);
        Assert.Equal(ChannelKinds.Default, roles["web"].Allow);
        Assert.Null(roles["web"].IdleTimeout);

        var listed = JsonDocument.Parse((await _cli.OkAsync("role", "list", "--json")).Out).RootElement.EnumerateArray().ToList();
        Assert.Contains(listed, r => r.GetProperty("name").GetString() == "admin" && r.GetProperty("builtIn").GetBoolean());
        var dba = listed.Single(r => r.GetProperty("name").GetString() == "dba");
        Assert.Equal("5m", dba.GetProperty("idleTimeout").GetString());
        Assert.Contains("web*", (await _cli.OkAsync("role", "list")).Out);

        await _cli.OkAsync("role", "remove", "web");
        Assert.DoesNotContain(await (await _cli.StoreAsync()).ListRolesAsync(), r => r.Name == "web");
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("role", "remove", "web")).ExitCode);
        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("role", "add", "dba", "--targets", "x", "--logins", "y")).ExitCode);
    }

    [Fact]
    public async Task A_role_held_by_a_user_or_built_in_cannot_be_removed()
    {
        await _cli.OkAsync("role", "add", "ops", "--targets", "*", "--logins", "root");
        await _cli.OkAsync("user", "add", "olga", "--role", "ops");
        var held = await _cli.RunAsync("role", "remove", "ops");
        Assert.Equal(ExitCodes.Conflict, held.ExitCode);
        Assert.Contains("olga", held.Error);
        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("role", "remove", "admin")).ExitCode);
        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("role", "add", "auditor", "--targets", "*", "--logins", "root")).ExitCode);
    }

    [Fact]
    public async Task Role_set_replaces_only_the_parts_given_audits_before_and_after_and_asks_the_bastions_to_recheck()
    {
        await _cli.OkAsync("role", "add", "editme", "--targets", "web*", "--logins", "root,deploy", "--idle-timeout", "5m", "--max-session", "8h");
        var store = await _cli.StoreAsync();
        long before = await store.LatestRevocationAsync();

        await _cli.OkAsync("role", "set", "editme", "--logins", "deploy", "--allow", "shell", "--max-session", "none");

        var role = (await store.ListRolesAsync()).Single(r => r.Name == "editme");
        Assert.Equal(["web*"], role.TargetPatterns);
        Assert.Equal(["deploy"], role.Logins);
        Assert.Equal([ChannelKinds.Shell], role.Allow);
        Assert.Equal(TimeSpan.FromMinutes(5), role.IdleTimeout);
        Assert.Null(role.MaxSession);
        var revocation = Assert.Single(await store.ListRevocationsAfterAsync(before));
        Assert.Equal("policy", revocation.Scope);
        var audit = JsonDocument.Parse((await _cli.OkAsync("audit", "--json")).Out).RootElement.EnumerateArray()
            .Last(e => e.GetProperty("details").TryGetProperty("action", out var a) && a.GetString() == "role.set");
        Assert.Equal("deploy", audit.GetProperty("details").GetProperty("logins").GetString());
        Assert.Equal("root,deploy", audit.GetProperty("details").GetProperty("previous_logins").GetString());

        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("role", "set", "nosuchrole", "--logins", "x")).ExitCode);
        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("role", "set", "admin", "--logins", "x")).ExitCode);
        var tooLong = await _cli.RunAsync("role", "set", "editme", "--idle-timeout", "1h");
        Assert.Equal(ExitCodes.Usage, tooLong.ExitCode);
        Assert.Equal(TimeSpan.FromMinutes(5), (await store.ListRolesAsync()).Single(r => r.Name == "editme").IdleTimeout);
        Assert.Contains("--max-session", (await _cli.OkAsync("role", "set", "--help")).Out);
    }
}
