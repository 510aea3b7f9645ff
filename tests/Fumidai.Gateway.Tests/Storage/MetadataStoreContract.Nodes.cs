using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_session_carries_the_node_of_the_store_that_added_it()
    {
        Store.Node = "node-a";
        await Store.AddSessionAsync(Session("s1", "ann", T0));
        await Store.AddSessionAsync(Session("s2", "ann", T0) with { Id = "s2", Node = "node-b" });
        Assert.Equal("node-a", (await Store.GetSessionAsync("s1"))!.Node);
        Assert.Equal("node-b", (await Store.GetSessionAsync("s2"))!.Node);
    }

    [Fact]
    public async Task A_node_recovers_its_own_running_sessions_and_those_of_dead_nodes_only()
    {
        var now = T0 + TimeSpan.FromHours(1);
        await Store.HeartbeatAsync("alive", now - TimeSpan.FromSeconds(5), starting: true);
        await Store.HeartbeatAsync("dead", now - TimeSpan.FromSeconds(31), starting: true);
        await Store.HeartbeatAsync("self", now, starting: true);
        foreach (var (id, node) in new[] { ("own", "self"), ("alive1", "alive"), ("dead1", "dead"), ("ghost1", "never-heartbeat") })
            await Store.AddSessionAsync(Session(id, "ann", T0) with { Node = node });
        await Store.AddSessionAsync(Session("old", "ann", T0));
        await Store.AddSessionAsync(Session("deadended", "ann", T0) with { Node = "dead" });
        await Store.EndSessionAsync("deadended", T0, SessionEndReason.Exit, 0, 0);

        Assert.Equal(["old", "own"], (await Store.ListRunningSessionsOfAsync("self")).Select(s => s.Id).Order());
        Assert.Equal(["dead1", "ghost1"], (await Store.ListRunningSessionsOfDeadNodesAsync("self", now - TimeSpan.FromSeconds(30))).Select(s => s.Id).Order());

        await Store.HeartbeatAsync("dead", now);
        Assert.Equal(["ghost1"], (await Store.ListRunningSessionsOfDeadNodesAsync("self", now - TimeSpan.FromSeconds(30))).Select(s => s.Id));
        var nodes = await Store.ListNodesAsync();
        Assert.Equal(["alive", "dead", "self"], nodes.Select(n => n.Name));
        Assert.Equal((now - TimeSpan.FromSeconds(31), now), (nodes[1].Started, nodes[1].Heartbeat));
    }

    [Fact]
    public async Task Of_nodes_interrupting_one_session_at_once_exactly_one_does()
    {
        await Store.AddSessionAsync(Session("s1", "ann", T0) with { Node = "dead" });
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Store.TryInterruptSessionAsync("s1", T0 + TimeSpan.FromHours(1)))));
        Assert.Single(results, r => r);
        var s1 = await Store.GetSessionAsync("s1");
        Assert.Equal((SessionStatus.Interrupted, "interrupted", T0 + TimeSpan.FromHours(1)), (s1!.Status, s1.EndReason, s1.End));
        Assert.False(await Store.TryInterruptSessionAsync("s1", T0));
    }
}
