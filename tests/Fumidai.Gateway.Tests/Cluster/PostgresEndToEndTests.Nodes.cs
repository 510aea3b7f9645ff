using System.Diagnostics;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>Two <c>fumidai serve</c> processes on one PostgreSQL: sessions name their node, and only a dead node's sessions are taken over.</summary>
public sealed partial class PostgresEndToEndTests
{
    private const string Prompt = "# ";
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_node_restarting_leaves_the_running_session_of_a_live_node_alone()
    {
        var nodeB = await cluster.StartNodeAsync("node-b");
        var op = await H.AddOperatorAsync("pglive");
        long s0 = Totp.CurrentStep();
        await using var ssh = H.SshInteractive(op, "pglive:web01", await Totp.CodeAsync(op.Secret, s0), nodeB.Port);
        await ssh.WaitForAsync(Prompt, Short);
        var running = await H.WaitForSessionAsync("pglive", s => s.GetProperty("status").GetString() == "running", "running");
        Assert.Equal("node-b", running.GetProperty("node").GetString());

        // Node A's start recovers its own crashed sessions: it must not take node B's live one for one of them.
        Assert.True(await H.Bastion.TerminateAsync(Short), "node A did not stop");
        await H.StartBastionAsync();
        H.TrustBastionPort(nodeB.Port);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var after = Assert.Single(await H.SessionsAsync("pglive"));
        Assert.Equal("running", after.GetProperty("status").GetString());
        await ssh.TypeAsync("echo STILL_$((20+22))\r");
        await ssh.WaitForAsync("STILL_42", Short);
        await using var store = await MetadataStore.OpenPostgresAsync(cluster.ConnectionString);
        var nodes = await store.ListNodesAsync();
        Assert.Contains(nodes, n => n.Name == "node-a" && DateTimeOffset.UtcNow - n.Heartbeat < TimeSpan.FromSeconds(10));
        Assert.Contains(nodes, n => n.Name == "node-b" && DateTimeOffset.UtcNow - n.Heartbeat < TimeSpan.FromSeconds(10));

        await ssh.TypeAsync("exit\r");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
        var closed = await H.WaitForSessionAsync("pglive", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.Equal("node-b", closed.GetProperty("node").GetString());
    }

    [Fact]
    public async Task The_session_of_a_node_killed_mid_session_is_marked_interrupted_by_the_other_node()
    {
        var nodeC = await cluster.StartNodeAsync("node-c");
        var op = await H.AddOperatorAsync("pgcrash");
        long s0 = Totp.CurrentStep();
        await using var ssh = H.SshInteractive(op, "pgcrash:web01", await Totp.CodeAsync(op.Secret, s0), nodeC.Port);
        await ssh.WaitForAsync(Prompt, Short);
        var running = await H.WaitForSessionAsync("pgcrash", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;

        await nodeC.KillAsync();
        var clock = Stopwatch.StartNew();
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));

        var end = await H.WaitForAuditAsync(e => e.Type == "session.end" && e.Detail("session") == id, "session.end of the crashed node's session",
            TimeSpan.FromSeconds(60));
        var deadline = Duration.Parse(PostgresBastion.DeadAfter) + 2 * Duration.Parse(PostgresBastion.HeartbeatInterval);
        Assert.True(clock.Elapsed < deadline + TimeSpan.FromSeconds(10), $"marked after {clock.Elapsed}");
        Assert.Equal(("interrupted", "node-c"), (end.Detail("reason"), end.Detail("node")));
        // Whichever live node swept first (node B may be running for another test).
        Assert.Contains(end.Detail("marked_by"), new[] { "node-a", "node-b" });
        var session = Assert.Single(await H.SessionsAsync("pgcrash"));
        Assert.Equal(("interrupted", "node-c"), (session.GetProperty("status").GetString(), session.GetProperty("node").GetString()));
        Assert.Single(await H.AuditAsync(), e => e.Type == "session.end" && e.Detail("session") == id);
    }
}
