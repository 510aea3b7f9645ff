using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>What a reader of <c>sessions list</c>, <c>search</c> and id arguments sees.</summary>
public sealed class SessionListingTests
{
    [Fact]
    public async Task Sessions_list_shows_why_each_ended_session_ended_next_to_its_status()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        var now = DateTimeOffset.UtcNow;
        await store.AddSessionAsync(Session("s-idle", now - TimeSpan.FromHours(1)));
        await store.AddSessionAsync(Session("s-kill", now - TimeSpan.FromMinutes(30)));
        await store.AddSessionAsync(Session("s-live", now - TimeSpan.FromMinutes(1)));
        await store.EndSessionAsync("s-idle", now - TimeSpan.FromMinutes(40), SessionEndReason.IdleTimeout, 1, 2);
        await store.EndSessionAsync("s-kill", now - TimeSpan.FromMinutes(20), SessionEndReason.Killed, 1, 2);

        var lines = (await cli.OkAsync("sessions", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("END REASON", lines[0]);
        Assert.Contains("idle-timeout", Assert.Single(lines, l => l.StartsWith("s-idle", StringComparison.Ordinal)));
        Assert.Contains("killed", Assert.Single(lines, l => l.StartsWith("s-kill", StringComparison.Ordinal)));
        var live = Assert.Single(lines, l => l.StartsWith("s-live", StringComparison.Ordinal));
        Assert.Contains("running", live);
        Assert.DoesNotContain("killed", live);
    }

    [Fact]
    public async Task A_unique_prefix_names_a_session_and_an_ambiguous_one_lists_the_candidates()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        var now = DateTimeOffset.UtcNow;
        await store.AddSessionAsync(Session("7f3a91c0d2", now - TimeSpan.FromMinutes(3)));
        await store.AddSessionAsync(Session("7f3b0e44aa", now - TimeSpan.FromMinutes(2)));
        await store.AddSessionAsync(Session("0c11d9e2f7", now - TimeSpan.FromMinutes(1)));

        var shown = JsonDocument.Parse((await cli.OkAsync("sessions", "show", "7f3a", "--json")).Out).RootElement;
        Assert.Equal("7f3a91c0d2", shown.GetProperty("id").GetString());
        Assert.Contains("0c11d9e2f7", (await cli.OkAsync("sessions", "show", "0c")).Out);

        var ambiguous = await cli.RunAsync("sessions", "show", "7f3");
        Assert.Equal(ExitCodes.Usage, ambiguous.ExitCode);
        Assert.Contains("'7f3' is ambiguous", ambiguous.Error);
        Assert.Contains("7f3a91c0d2", ambiguous.Error);
        Assert.Contains("7f3b0e44aa", ambiguous.Error);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "show", "7f4")).ExitCode);

        // The same resolution behind every command that takes an id.
        var kill = await cli.RunAsync("sessions", "kill", "7f3");
        Assert.Equal(ExitCodes.Usage, kill.ExitCode);
        Assert.Contains("is ambiguous", kill.Error);
        Assert.Equal(ExitCodes.Usage, (await cli.RunAsync("sessions", "commands", "7f3")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await cli.RunAsync("verify", "7f3")).ExitCode);

        // A prefix is text, not a pattern: LIKE wildcards match nothing.
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "show", "7f3_")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "show", "%")).ExitCode);
    }

    [Fact]
    public async Task Search_with_no_hit_says_so_and_json_is_an_empty_array()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        await store.AddSessionAsync(Session("s-one", DateTimeOffset.UtcNow));
        await store.IndexSessionCommandsAsync("s-one", [(TimeSpan.FromSeconds(1), "uptime")]);

        var none = await cli.OkAsync("sessions", "search", "reboot");
        Assert.Equal("no command matches 'reboot'", none.Out.Trim());
        var json = JsonDocument.Parse((await cli.OkAsync("sessions", "search", "reboot", "--json")).Out).RootElement;
        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        Assert.Equal(0, json.GetArrayLength());
        Assert.Contains("no command matches 'reboot' in alice's sessions", (await cli.OkAsync("sessions", "search", "reboot", "--user", "alice")).Out);
    }

    private static SessionRecord Session(string id, DateTimeOffset start) =>
        new(id, "alice", "web01", "deploy", "shell", null, "127.0.0.1:50000", start, null, SessionStatus.Running, null, 0, 0, null);
}
