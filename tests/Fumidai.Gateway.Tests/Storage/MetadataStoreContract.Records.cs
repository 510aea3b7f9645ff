using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    private static SessionRecord Session(string id, string user, DateTimeOffset start, string? command = null) =>
        new(id, user, "web01", "root", command is null ? "shell" : "exec", command, "192.0.2.1", start, null, SessionStatus.Running, null, 0, 0, "rec/" + id);

    [Fact]
    public async Task Sessions_are_listed_by_user_and_time_and_end_with_status_and_reason()
    {
        await Store.AddSessionAsync(Session("s1", "ann", T0));
        await Store.AddSessionAsync(Session("s2", "bob", T0 + TimeSpan.FromMinutes(5), "uptime"));
        await Store.EndSessionAsync("s1", T0 + TimeSpan.FromMinutes(1), SessionEndReason.Exit, 10_000_000_000, 42);

        var s1 = await Store.GetSessionAsync("s1");
        Assert.Equal((SessionStatus.Closed, "exit", T0 + TimeSpan.FromMinutes(1), 10_000_000_000L, 42L, "rec/s1"),
            (s1!.Status, s1.EndReason, s1.End, s1.BytesIn, s1.BytesOut, s1.Recording));
        Assert.Null(await Store.GetSessionAsync("nope"));
        Assert.Equal(["s2"], (await Store.ListRunningSessionsAsync()).Select(s => s.Id));
        Assert.Equal(["s1", "s2"], (await Store.ListSessionsAsync(null, null, null)).Select(s => s.Id));
        Assert.Equal(["s2"], (await Store.ListSessionsAsync("bob", "web01", null)).Select(s => s.Id));
        Assert.Equal(["s2"], (await Store.ListSessionsAsync(null, null, T0 + TimeSpan.FromMinutes(1))).Select(s => s.Id));
        Assert.Equal("uptime", (await Store.GetSessionAsync("s2"))!.Command);
    }

    [Fact]
    public async Task Concurrent_audit_appends_form_one_unbroken_chain()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => Store.AppendAuditAsync(
            new AuditEvent(T0.AddSeconds(i), AuditTypes.AdminChange, "ann", AuditOutcome.Success, "cli", null, new Dictionary<string, string> { ["i"] = i.ToString() })))));
        var chain = await Store.ListAuditAsync(null);
        Assert.Equal(24, chain.Count);
        string previous = MetadataStore.GenesisHash;
        foreach (var e in chain)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(MetadataStore.AuditHash(previous, e), e.Hash);
            previous = e.Hash;
        }
        Assert.Equal(appended.Select(e => e.Sequence).Order(), chain.Select(e => e.Sequence));
        Assert.Equal(chain.Skip(20).Select(e => e.Hash), (await Store.ListAuditAfterAsync(chain[19].Sequence, 10)).Select(e => e.Hash));
        Assert.Equal(3, (await Store.ListAuditAsync(T0.AddSeconds(21))).Count);
    }

    [Fact]
    public async Task Command_search_matches_substrings_without_case_and_takes_wildcards_literally()
    {
        await Store.AddSessionAsync(Session("s1", "ann", T0));
        await Store.AddSessionAsync(Session("s2", "bob", T0 + TimeSpan.FromHours(2), "pg_dump prod"));
        await Store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(3), "sudo systemctl restart nginx", null), (TimeSpan.FromSeconds(9), "cat /etc/Passwd", "typed without echo")]);
        await Store.IndexSessionCommandsAsync("s2", [(TimeSpan.Zero, "pg_dump prod")]);

        var hit = Assert.Single(await Store.SearchCommandsAsync("PASSWD", null, null, 100));
        Assert.Equal(("s1", "ann", "cat /etc/Passwd", "typed without echo", T0 + TimeSpan.FromSeconds(9)), (hit.SessionId, hit.User, hit.Command, hit.Mark, hit.Time));
        Assert.Single(await Store.SearchCommandsAsync("pg", null, null, 100));
        Assert.Empty(await Store.SearchCommandsAsync("%", null, null, 100));
        Assert.Empty(await Store.SearchCommandsAsync("\"nginx\" OR *", null, null, 100));
        Assert.Empty(await Store.SearchCommandsAsync("pg_dump", "ann", null, 100));
        Assert.Empty(await Store.SearchCommandsAsync("nginx", null, T0 + TimeSpan.FromHours(1), 100));

        await Store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(3), "sudo systemctl restart nginx")]);
        Assert.Empty(await Store.SearchCommandsAsync("passwd", null, null, 100));
        Assert.Single(await Store.SearchCommandsAsync("restart ngi", null, null, 100));
    }

    [Fact]
    public async Task Targets_and_roles_keep_their_fields()
    {
        var target = new TargetRecord("web01", "127.0.0.1", 2201, ["root", "deploy"], ["ssh-ed25519 AAAA"], [7, 0, 7], T0);
        Assert.True(await Store.AddTargetAsync(target));
        Assert.False(await Store.AddTargetAsync(target));
        var read = await Store.GetTargetAsync("web01");
        Assert.Equal(["root", "deploy"], read!.Logins);
        Assert.Equal(new byte[] { 7, 0, 7 }, read.EncryptedPrivateKey);
        Assert.Equal((2201, T0), (read.Port, read.Created));
        Assert.True(await Store.UpdateTargetAsync(target with { Port = 22, EncryptedPrivateKey = null }));
        Assert.Equal((22, (byte[]?)null), ((await Store.GetTargetAsync("web01"))!.Port, (await Store.GetTargetAsync("web01"))!.EncryptedPrivateKey));

        var role = new AccessRole("ops", ["web*"], ["root"], ["shell"], TimeSpan.FromMinutes(5), null);
        Assert.True(await Store.AddRoleAsync(role));
        Assert.False(await Store.AddRoleAsync(role));
        Assert.True(await Store.UpdateRoleAsync(role with { MaxSession = TimeSpan.FromHours(8) }));
        var ops = Assert.Single(await Store.ListRolesAsync());
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(8)), (ops.IdleTimeout, ops.MaxSession));
        Assert.True(await Store.RemoveRoleAsync("ops"));
        Assert.True(await Store.RemoveTargetAsync("web01"));
        Assert.Empty(await Store.ListTargetsAsync());
    }

    [Fact]
    public async Task Unverified_recordings_are_reported_with_their_problem()
    {
        await Store.MarkRecordingCheckAsync("s1", verified: false, "chunk 3: hash mismatch");
        await Store.MarkRecordingCheckAsync("s2", verified: false, "missing");
        await Store.MarkRecordingCheckAsync("s2", verified: true, null);
        var marks = await Store.UnverifiedIndexEntriesAsync(["s1", "s2", "s3"]);
        Assert.Equal("chunk 3: hash mismatch", Assert.Single(marks).Value);
    }
}
