using System.Text.Json;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class AuditCommandTests
{
    [Fact]
    public async Task Audit_json_shows_every_admin_change_chained()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init", "--admin", "root-admin");
        var (key, _) = cli.NewPublicKeyFile("zoe");
        await cli.OkAsync("role", "add", "web", "--targets", "web*", "--logins", "deploy");
        await cli.OkAsync("user", "add", "zoe", "--key", key, "--role", "web");
        await cli.OkAsync("user", "disable", "zoe");
        await cli.OkAsync("user", "unlock", "zoe");
        await cli.OkAsync("user", "reset-mfa", "zoe");

        var events = JsonDocument.Parse((await cli.OkAsync("audit", "--json")).Out).RootElement.EnumerateArray().ToList();
        var changes = events.Where(e => e.GetProperty("type").GetString() == AuditTypes.AdminChange)
            .Select(e => e.GetProperty("details").GetProperty("action").GetString()).ToList();
        Assert.Equal(["init", "user.add", "role.add", "user.add", "user.disable"], changes);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == AuditTypes.MfaEnrolled && e.GetProperty("user").GetString() == "zoe");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == AuditTypes.Unlock && e.GetProperty("user").GetString() == "zoe");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == AuditTypes.MfaReset && e.GetProperty("user").GetString() == "zoe");
        Assert.All(events, e =>
        {
            Assert.Equal("cli", e.GetProperty("source").GetString());
            Assert.Equal(Environment.UserName, e.GetProperty("details").GetProperty("actor").GetString());
            Assert.EndsWith("Z", e.GetProperty("time").GetString());
        });
        string previous = MetadataStore.GenesisHash;
        foreach (var e in events)
        {
            Assert.Equal(previous, e.GetProperty("prevHash").GetString());
            previous = e.GetProperty("hash").GetString()!;
        }

        var table = await cli.OkAsync("audit", "--since", "1h");
        Assert.Contains("admin.change", table.Out);
        Assert.Contains("action=user.disable", table.Out);
    }

    [Fact]
    public async Task Audit_since_leaves_out_older_events()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        await store.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow - TimeSpan.FromDays(3), AuditTypes.Login, "old", AuditOutcome.Success, null, null,
            new Dictionary<string, string>()));
        var recent = JsonDocument.Parse((await cli.OkAsync("audit", "--since", "1d", "--json")).Out).RootElement.EnumerateArray();
        Assert.DoesNotContain(recent, e => e.GetProperty("user").GetString() == "old");
        var all = JsonDocument.Parse((await cli.OkAsync("audit", "--json")).Out).RootElement.EnumerateArray();
        Assert.Contains(all, e => e.GetProperty("user").GetString() == "old");
    }
}
