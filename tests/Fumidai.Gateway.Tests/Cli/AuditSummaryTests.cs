using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>fumidai audit summary</c> on a seeded history: every count is known in advance.</summary>
public sealed class AuditSummaryTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static async Task EventAsync(MetadataStore store, TimeSpan ago, string type, string? user, string? source, string? target = null,
        string outcome = AuditOutcome.Success, Dictionary<string, string>? details = null) =>
        await store.AppendAuditAsync(new AuditEvent(Now - ago, type, user, outcome, source, target, details ?? []));

    private static SessionRecord Session(string id, string user, string target, TimeSpan ago, string status) =>
        new(id, user, target, "root", "shell", null, "198.51.100.1", Now - ago, status == SessionStatus.Running ? null : Now - ago + TimeSpan.FromMinutes(5),
            status, status == SessionStatus.Running ? null : "exit", 10, 10, "recordings/" + id);

    /// <summary>Working hours from 3 h ago to 1 h ago, every day: an event 2 h ago is usual, one 30 min or 5 h ago is not.</summary>
    private static void ConfigureReview(CliHarness cli)
    {
        string file = Path.Combine(cli.DataPath, "fumidai.json");
        var config = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        })!.AsObject();
        string HhMm(TimeSpan ago) => (Now - ago).UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
        config["Review"] = new JsonObject
        {
            ["WorkingHours"] = $"{HhMm(TimeSpan.FromHours(3))}-{HhMm(TimeSpan.FromHours(1))}",
            ["WorkingDays"] = new JsonArray("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            ["TimeZone"] = "UTC",
            ["WatchCommands"] = new JsonArray("rm -rf", "iptables", "userdel"),
        };
        File.WriteAllText(file, config.ToJsonString());
    }

    [Fact]
    public async Task A_seeded_day_gives_the_expected_counts()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init", "--admin", "boss");
        ConfigureReview(cli);
        await using (var store = await cli.StoreAsync())
        {
            var two = TimeSpan.FromHours(2);
            // Before the period: counted nowhere.
            await EventAsync(store, TimeSpan.FromHours(30), AuditTypes.Login, "ann", "192.0.2.1");
            await EventAsync(store, TimeSpan.FromHours(30), AuditTypes.LoginFailure, "ann", "192.0.2.1", outcome: AuditOutcome.Failure);
            for (int i = 0; i < 3; i++) await EventAsync(store, two, AuditTypes.Login, "ann", "192.0.2.1");
            await EventAsync(store, two, AuditTypes.Login, "ann", "192.0.2.2");
            await EventAsync(store, TimeSpan.FromMinutes(30), AuditTypes.Login, "bob", "203.0.113.9");
            await EventAsync(store, TimeSpan.FromHours(5), AuditTypes.SessionStart, "bob", "203.0.113.9", "db01");
            for (int i = 0; i < 4; i++) await EventAsync(store, two, AuditTypes.MfaFailure, "eve", "198.51.100.66", outcome: AuditOutcome.Failure);
            await EventAsync(store, two, AuditTypes.LoginFailure, "eve", "198.51.100.66", outcome: AuditOutcome.Failure);
            await EventAsync(store, two, AuditTypes.Lockout, "eve", "198.51.100.66", outcome: AuditOutcome.Failure,
                details: new() { ["failures"] = "10" });

            await store.AddSessionAsync(Session("s-old", "ann", "web01", TimeSpan.FromHours(30), SessionStatus.Closed));
            await store.AddSessionAsync(Session("s1", "ann", "web01", two, SessionStatus.Closed));
            await store.AddSessionAsync(Session("s2", "bob", "web01", two, SessionStatus.Closed));
            await store.AddSessionAsync(Session("s3", "ann", "web01", two, SessionStatus.Failed));
            await store.AddSessionAsync(Session("s4", "bob", "db01", two, SessionStatus.Closed));
            await store.AddSessionAsync(Session("s5", "bob", "db01", two, SessionStatus.Running));
            await store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(1), "ls -l", null), (TimeSpan.FromSeconds(2), "sudo rm -rf /tmp/x", null),
                (TimeSpan.FromSeconds(3), "iptables -F && userdel mallory", null), (TimeSpan.FromSeconds(4), "sudo reboot", null)]);
            await store.IndexSessionCommandsAsync("s-old", [(TimeSpan.FromSeconds(1), "rm -rf /old", null)]);
            await store.MarkRecordingCheckAsync("s1", true, null);
            await store.MarkRecordingCheckAsync("s2", false, "chunk 3: hash mismatch");
        }

        var json = JsonDocument.Parse((await cli.OkAsync("audit", "summary", "--since", "24h", "--json")).Out).RootElement;
        var logins = json.GetProperty("logins").EnumerateArray().Select(l => (l.GetProperty("user").GetString(), l.GetProperty("source").GetString(),
            l.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("ann", "192.0.2.1", 3), ("ann", "192.0.2.2", 1), ("bob", "203.0.113.9", 1)], logins);
        var failures = json.GetProperty("failures").EnumerateArray().Select(f => (f.GetProperty("type").GetString(), f.GetProperty("user").GetString(),
            f.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("mfa.failure", "eve", 4), ("login.failure", "eve", 1)], failures);
        Assert.Equal("eve", json.GetProperty("lockouts").EnumerateArray().Single().GetProperty("user").GetString());
        var targets = json.GetProperty("sessionsByTarget").EnumerateArray().Select(t => (t.GetProperty("target").GetString(),
            t.GetProperty("sessions").GetInt32(), t.GetProperty("failed").GetInt32())).ToList();
        Assert.Equal([("web01", 3, 1), ("db01", 2, 0)], targets);
        var unusual = json.GetProperty("unusualHours").EnumerateArray().Select(u => (u.GetProperty("type").GetString(), u.GetProperty("user").GetString())).ToList();
        Assert.Equal([("session.start", "bob"), ("login", "bob")], unusual);
        var watched = json.GetProperty("watchedCommands").EnumerateArray().ToList();
        Assert.Equal(["sudo rm -rf /tmp/x", "iptables -F && userdel mallory"], watched.Select(w => w.GetProperty("command").GetString()));
        Assert.Equal(["iptables", "userdel"], watched[1].GetProperty("patterns").EnumerateArray().Select(p => p.GetString()));
        var unverified = json.GetProperty("unverifiedRecordings").EnumerateArray().Single();
        Assert.Equal(("s2", "chunk 3: hash mismatch"), (unverified.GetProperty("session").GetString(), unverified.GetProperty("problem").GetString()));
        Assert.Equal(2, json.GetProperty("uncheckedRecordings").GetInt32());

        var table = (await cli.OkAsync("audit", "summary")).Out;
        Assert.Contains("Logins (5)", table);
        Assert.Contains("Lockouts (1)", table);
        Assert.Contains("Watched commands (2)", table);
        Assert.Contains("Recordings not verified (1; 2 never checked)", table);
    }

    [Fact]
    public async Task A_bad_period_is_a_usage_error()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init", "--admin", "boss");
        var bad = await cli.RunAsync("audit", "summary", "--since", "yesterday");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since", bad.Error);
    }
}
