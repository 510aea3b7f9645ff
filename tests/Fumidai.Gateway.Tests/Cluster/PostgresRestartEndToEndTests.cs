using System.Diagnostics;
using System.Net;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// PostgreSQL stopped (<c>pg_ctl stop -m fast</c>) and started again on the same port under two nodes behind haproxy, with
/// shells running through Debian's ssh and logins going on: the nodes reconnect without a restart, and no session row or
/// audit event is lost.
/// </summary>
public sealed class PostgresRestartEndToEndTests(ProxiedCluster cluster) : IClassFixture<ProxiedCluster>
{
    private const string Prompt = "# ";
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    // Longer than the nodes' dead-after time, so the first node back could take a live peer for dead.
    private static readonly TimeSpan Outage = Duration.Parse(PostgresBastion.DeadAfter) + TimeSpan.FromSeconds(4);

    private BastionHarness H => cluster.Nodes.Harness;

    [Fact]
    public async Task Nodes_reconnect_by_themselves_and_every_session_and_audit_event_survives_a_restart_under_load()
    {
        var nodeB = await cluster.Nodes.StartNodeAsync("node-b");
        var nodes = new[] { H.Bastion, nodeB };
        var operators = new List<Operator>();
        for (int i = 0; i < 6; i++) operators.Add(await H.AddOperatorAsync($"pgr{i}"));
        var refusedOps = new[] { await H.AddOperatorAsync("pgrdown0"), await H.AddOperatorAsync("pgrdown1") };
        var laterOps = new List<Operator>();
        for (int i = 0; i < 4; i++) laterOps.Add(await H.AddOperatorAsync($"pgrafter{i}"));

        var shells = new List<InteractiveSsh>();
        try
        {
            foreach (var op in operators)
            {
                var ssh = H.SshInteractive(op, $"{op.Name}:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), cluster.Haproxy.Port);
                shells.Add(ssh);
                await ssh.WaitForAsync(Prompt, Short);
            }
            var running = new Dictionary<string, string>();
            foreach (var op in operators)
            {
                var session = await H.WaitForSessionAsync(op.Name, s => s.GetProperty("status").GetString() == "running", "running");
                running[op.Name] = session.GetProperty("node").GetString()!;
            }
            Assert.Equal(["node-a", "node-b"], running.Values.Distinct().Order());

            await cluster.Nodes.Server.StopAsync();
            var down = Stopwatch.StartNew();
            try
            {
                // Half the shells end while the database is away; the others keep relaying.
                for (int i = 0; i < shells.Count; i += 2)
                {
                                        await shells[i].TypeAsync("exit\r");
                }
                for (int i = 1; i < shells.Count; i += 2)
                {
                    int from = shells[i].Output.Length;
                    await shells[i].TypeAsync("echo DURING_$((6*7))\r");
                    await shells[i].WaitForAsync("DURING_42", Short, from);
                }
                foreach (var op in refusedOps)
                {
                    var refused = await H.SshExecAsync(op, $"{op.Name}:web01", "echo SHOULD_NOT_RUN", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()),
                        port: cluster.Haproxy.Port, timeout: Short);
                    Assert.Equal(255, refused.ExitCode);
                    Assert.Contains("the bastion's database is unavailable", refused.StandardError);
                    Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
                }
                for (int i = 0; i < shells.Count; i += 2) Assert.Equal(0, await shells[i].WaitForExitAsync(Short));
                if (down.Elapsed < Outage) await Task.Delay(Outage - down.Elapsed);
            }
            finally
            {
                await cluster.Nodes.Server.StartAsync();
            }
            Assert.All(nodes, n => Assert.False(n.HasExited, "a node exited while the database was down:\n" + n.Log));

            foreach (var node in nodes)
            {
                using var probe = new HealthProbe(await node.HealthUriAsync());
                Assert.Equal(HttpStatusCode.OK, (await probe.WaitForHealthAsync(HttpStatusCode.OK, Short)).Status);
            }
            // Logins right after the restart, through haproxy to both nodes: no stale pooled connection refuses one.
            var after = await Task.WhenAll(laterOps.Select(async op => await H.SshExecAsync(op, $"{op.Name}:web01", "echo after-$((6*7))",
                await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), port: cluster.Haproxy.Port, timeout: Short)));
            Assert.All(after, a => Assert.True(a.ExitCode == 0 && a.Output.Contains("after-42", StringComparison.Ordinal),
                $"exit {a.ExitCode}: {a.StandardError}\n{H.Bastion.Log}\n{nodeB.Log}"));
            for (int i = 1; i < shells.Count; i += 2)
            {
                int from = shells[i].Output.Length;
                await shells[i].TypeAsync("echo AFTER_$((6*7))\r");
                await shells[i].WaitForAsync("AFTER_42", Short, from);
                await shells[i].TypeAsync("exit\r");
                Assert.Equal(0, await shells[i].WaitForExitAsync(Short));
            }
        }
        finally
        {
            foreach (var ssh in shells) await ssh.DisposeAsync();
        }

        // Every shell has its row ended as it ended, and its audited end says the same; nobody was taken for dead.
        var clock = Stopwatch.StartNew();
        List<SessionRecord> rows;
        IReadOnlyList<AuditEvent> events;
        await using (var store = await MetadataStore.OpenPostgresAsync(cluster.Nodes.ConnectionString))
        {
            while (true)
            {
                rows = [.. await store.ListSessionsAsync(null, null, null)];
                events = await store.ListAuditAsync(null);
                bool settled = rows.Count(r => r.Status != "running") >= operators.Count + laterOps.Count
                    && events.Count(e => e.Type == "session.end") >= operators.Count + laterOps.Count;
                if (settled || clock.Elapsed > Short) break;
                await Task.Delay(500);
            }
        }
        foreach (var op in operators.Concat(laterOps))
        {
            var row = Assert.Single(rows, r => r.User == op.Name);
            Assert.True(row.Status == "closed", $"{op.Name}: {row.Status} ({row.EndReason}) on {row.Node}");
            Assert.NotNull(row.End);
            var end = Assert.Single(events, e => e.Type == "session.end" && e.Details.GetValueOrDefault("session") == row.Id);
            Assert.Equal(row.EndReason, end.Details["reason"]);
            Assert.Single(events, e => e.Type == "session.start" && e.Details.GetValueOrDefault("session") == row.Id);
        }
        Assert.DoesNotContain(events, e => e.Type == "session.end" && e.Details.GetValueOrDefault("reason") == "interrupted");
        foreach (var op in refusedOps)
        {
            Assert.DoesNotContain(rows, r => r.User == op.Name);
            Assert.DoesNotContain(events, e => e.User == op.Name && e.Type is "login" or "session.start");
        }

        // One chain, each link recomputed from the event it covers.
        string previous = MetadataStore.GenesisHash;
        foreach (var e in events)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(MetadataStore.AuditHash(previous, e), e.Hash);
            previous = e.Hash!;
        }
        Assert.All(nodes, n => Assert.False(n.HasExited, n.Log));
    }
}
