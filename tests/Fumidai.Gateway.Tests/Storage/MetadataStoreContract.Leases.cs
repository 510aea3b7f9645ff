namespace Fumidai.Gateway.Tests.Storage;

/// <summary>Cluster leases on every provider: one holder at a time, renewals, expiry, hand-over with the position reached.</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_lease_has_one_holder_until_it_expires_or_is_released_and_its_position_passes_to_the_next_holder()
    {
        var t = T0;
        Assert.Equal((true, 0L), await Store.TryTakeLeaseAsync("ship", "node-a", t, t.AddSeconds(15)));
        Assert.Equal((false, 0L), await Store.TryTakeLeaseAsync("ship", "node-b", t.AddSeconds(1), t.AddSeconds(16)));
        Assert.True(await Store.SetLeasePositionAsync("ship", "node-a", 42));
        Assert.False(await Store.SetLeasePositionAsync("ship", "node-b", 99));
        // Renewal by the holder keeps the position.
        Assert.Equal((true, 42L), await Store.TryTakeLeaseAsync("ship", "node-a", t.AddSeconds(10), t.AddSeconds(25)));
        Assert.Equal((false, 0L), await Store.TryTakeLeaseAsync("ship", "node-b", t.AddSeconds(24), t.AddSeconds(39)));

        // node-a stops renewing: after expiry node-b takes over where node-a got to, and node-a can no longer move it.
        Assert.Equal((true, 42L), await Store.TryTakeLeaseAsync("ship", "node-b", t.AddSeconds(26), t.AddSeconds(41)));
        Assert.False(await Store.SetLeasePositionAsync("ship", "node-a", 50));
        Assert.False(await Store.SetLeasePositionAsync("ship", "node-b", 41));
        Assert.True(await Store.SetLeasePositionAsync("ship", "node-b", 60));

        await Store.ReleaseLeaseAsync("ship", "node-b", t.AddSeconds(30));
        Assert.Equal((true, 60L), await Store.TryTakeLeaseAsync("ship", "node-a", t.AddSeconds(31), t.AddSeconds(46)));
        // Leases are independent by name.
        Assert.Equal((true, 0L), await Store.TryTakeLeaseAsync("export", "node-b", t.AddSeconds(31), t.AddSeconds(46)));
    }

    [Fact]
    public async Task Of_nodes_taking_a_free_lease_at_once_exactly_one_does_and_its_position_is_readable_by_all()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => Store.TryTakeLeaseAsync("audit-export:syslog", $"node-{i}", T0, T0 + TimeSpan.FromSeconds(30)))));
        Assert.Single(results, r => r.Held);
        Assert.Equal(0, await Store.LeasePositionAsync("audit-export:syslog"));
        Assert.Equal(0, await Store.LeasePositionAsync("audit-export:never-taken"));
    }
}
