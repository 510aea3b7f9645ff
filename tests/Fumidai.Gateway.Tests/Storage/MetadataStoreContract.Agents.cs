using Fumidai.Agent;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    private static readonly byte[] TokenHash = AgentToken.Hash("a-join-token-secret");

    private static TargetRecord AgentTarget(string name) => new(name, "", 0, ["root"], [], null, T0);

    [Fact]
    public async Task An_agent_target_is_stored_without_an_address_and_its_token_joins_exactly_once()
    {
        Assert.True(await Store.AddAgentTargetAsync(AgentTarget("web01"), TokenHash, T0 + TimeSpan.FromHours(1), acceptFirstReport: true));
        Assert.False(await Store.AddAgentTargetAsync(AgentTarget("web01"), TokenHash, T0 + TimeSpan.FromHours(1), acceptFirstReport: false));
        Assert.True((await Store.GetTargetAsync("web01"))!.ViaAgent);
        var pending = await Store.GetAgentTargetAsync("web01");
        Assert.Equal(TokenHash, pending!.TokenHash);
        Assert.Equal((T0 + TimeSpan.FromHours(1), true, (string?)null), (pending.TokenExpires, pending.AcceptFirstReport, pending.AgentKey));

        Assert.False(await Store.TryJoinAgentAsync("web01", AgentToken.Hash("another-secret"), "ssh-ed25519 AAAA-first", T0));
        var joins = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => Store.TryJoinAgentAsync("web01", TokenHash, $"ssh-ed25519 AAAA-{i}", T0 + TimeSpan.FromMinutes(1)))));
        Assert.Single(joins, j => j);

        var joined = await Store.GetAgentTargetAsync("web01");
        Assert.Null(joined!.TokenHash);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), joined.Joined);
        Assert.StartsWith("ssh-ed25519 AAAA-", joined.AgentKey);
        Assert.False(await Store.TryJoinAgentAsync("web01", TokenHash, "ssh-ed25519 AAAA-late", T0 + TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public async Task An_expired_or_revoked_token_does_not_join()
    {
        await Store.AddAgentTargetAsync(AgentTarget("web01"), TokenHash, T0 + TimeSpan.FromHours(1), acceptFirstReport: false);
        await Store.AddAgentTargetAsync(AgentTarget("web02"), TokenHash, T0 + TimeSpan.FromHours(1), acceptFirstReport: false);

        Assert.False(await Store.TryJoinAgentAsync("web01", TokenHash, "ssh-ed25519 AAAA", T0 + TimeSpan.FromHours(1)));
        Assert.True(await Store.RevokeAgentAsync("web02", T0));
        Assert.False(await Store.TryJoinAgentAsync("web02", TokenHash, "ssh-ed25519 AAAA", T0));
        var revoked = await Store.GetAgentTargetAsync("web02");
        Assert.Equal(T0, revoked!.Revoked);
        Assert.Null(revoked.TokenHash);
        Assert.Null((await Store.GetAgentTargetAsync("web01"))!.AgentKey);
    }

    [Fact]
    public async Task Reported_host_keys_wait_and_agent_connections_are_kept_per_node_and_go_with_the_target()
    {
        await Store.AddAgentTargetAsync(AgentTarget("web01"), TokenHash, T0 + TimeSpan.FromHours(1), acceptFirstReport: false);
        Assert.True(await Store.SetAgentPendingHostKeysAsync("web01", ["ssh-ed25519 AAAA one"]));
        Assert.Equal(["ssh-ed25519 AAAA one"], (await Store.GetAgentTargetAsync("web01"))!.PendingHostKeys);
        await Store.SetAgentPendingHostKeysAsync("web01", []);
        Assert.Empty((await Store.GetAgentTargetAsync("web01"))!.PendingHostKeys);

        await Store.AgentConnectedAsync("web01", "node-a", "1.0.0", T0);
        await Store.AgentConnectedAsync("web01", "node-b", "1.0.0", T0 + TimeSpan.FromSeconds(5));
        await Store.AgentSeenAsync("web01", "node-a", T0 + TimeSpan.FromSeconds(30));
        var connections = await Store.ListAgentConnectionsAsync();
        Assert.Equal([("node-a", T0, T0 + TimeSpan.FromSeconds(30)), ("node-b", T0 + TimeSpan.FromSeconds(5), T0 + TimeSpan.FromSeconds(5))],
            connections.Select(c => (c.Node, c.Since, c.LastSeen)));
        await Store.AgentDisconnectedAsync("web01", "node-b");
        Assert.Equal(["node-a"], (await Store.ListAgentConnectionsAsync()).Select(c => c.Node));
        await Store.AgentDisconnectedAsync(null, "node-a");
        Assert.Empty(await Store.ListAgentConnectionsAsync());

        await Store.AgentConnectedAsync("web01", "node-a", "1.0.0", T0);
        Assert.True(await Store.RemoveTargetAsync("web01"));
        Assert.Null(await Store.GetAgentTargetAsync("web01"));
        Assert.Empty(await Store.ListAgentConnectionsAsync());
    }
}
