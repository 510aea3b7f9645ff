namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_node_publishes_and_withdraws_its_cluster_address_without_touching_its_heartbeat()
    {
        Assert.Null(await Store.GetNodeAddressAsync("node-a"));
        await Store.SetNodeAddressAsync("node-a", "10.0.0.5:9443", T0);
        Assert.Equal(new Fumidai.Gateway.Storage.NodeAddressRecord("node-a", T0, "10.0.0.5:9443"), await Store.GetNodeAddressAsync("node-a"));

        var later = T0 + TimeSpan.FromMinutes(1);
        await Store.HeartbeatAsync("node-a", later, starting: true);
        await Store.SetNodeAddressAsync("node-a", null, later + TimeSpan.FromMinutes(1));
        Assert.Equal(new Fumidai.Gateway.Storage.NodeAddressRecord("node-a", later, null), await Store.GetNodeAddressAsync("node-a"));
        await Store.HeartbeatAsync("node-a", later + TimeSpan.FromMinutes(2));
        await Store.SetNodeAddressAsync("node-a", "10.0.0.6:9443", later);
        Assert.Equal("10.0.0.6:9443", (await Store.GetNodeAddressAsync("node-a"))!.InternalAddress);
    }
}
