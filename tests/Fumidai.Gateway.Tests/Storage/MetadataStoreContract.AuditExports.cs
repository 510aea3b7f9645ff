namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task One_node_at_a_time_holds_an_audit_export_and_its_cursor_moves_with_the_lease()
    {
        var until = T0 + TimeSpan.FromSeconds(30);
        Assert.Equal(0, await Store.TryLeaseAuditExportAsync("syslog", "node-a", T0, until));
        Assert.Null(await Store.TryLeaseAuditExportAsync("syslog", "node-b", T0 + TimeSpan.FromSeconds(10), until));
        Assert.Equal(0, await Store.TryLeaseAuditExportAsync("stdout", "node-b", T0, until));

        Assert.True(await Store.AdvanceAuditExportAsync("syslog", "node-a", 7));
        Assert.False(await Store.AdvanceAuditExportAsync("syslog", "node-b", 9));
        Assert.Equal(7, await Store.TryLeaseAuditExportAsync("syslog", "node-a", T0 + TimeSpan.FromSeconds(20), T0 + TimeSpan.FromSeconds(50)));

        // Not renewed: after it runs out, the other node takes over from the same cursor, and the old holder can no longer move it.
        Assert.Null(await Store.TryLeaseAuditExportAsync("syslog", "node-b", T0 + TimeSpan.FromSeconds(49), T0 + TimeSpan.FromSeconds(79)));
        Assert.Equal(7, await Store.TryLeaseAuditExportAsync("syslog", "node-b", T0 + TimeSpan.FromSeconds(51), T0 + TimeSpan.FromSeconds(81)));
        Assert.False(await Store.AdvanceAuditExportAsync("syslog", "node-a", 8));
        Assert.True(await Store.AdvanceAuditExportAsync("syslog", "node-b", 8));

        await Store.ReleaseAuditExportAsync("syslog", "node-b");
        Assert.Equal(8, await Store.TryLeaseAuditExportAsync("syslog", "node-a", T0 + TimeSpan.FromSeconds(52), T0 + TimeSpan.FromSeconds(82)));
        Assert.Equal(8, await Store.AuditExportCursorAsync("syslog"));
        Assert.Equal(0, await Store.AuditExportCursorAsync("webhook"));
    }

    [Fact]
    public async Task Of_nodes_taking_a_free_audit_export_at_once_exactly_one_does()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => Store.TryLeaseAuditExportAsync("syslog", $"node-{i}", T0, T0 + TimeSpan.FromSeconds(30)))));
        Assert.Single(results, r => r is not null);
    }
}
