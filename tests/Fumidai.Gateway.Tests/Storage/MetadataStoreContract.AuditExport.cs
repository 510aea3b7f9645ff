using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task The_audit_export_filters_as_the_page_does_and_reads_on_by_sequence_oldest_first()
    {
        for (int i = 0; i < 7; i++)
            await Store.AppendAuditAsync(new AuditEvent(T0.AddMinutes(i), i % 2 == 0 ? "login" : "admin.change", i < 4 ? "ann" : "bob", "success", "192.0.2.1",
                null, new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var logins = await Store.ListAuditFilteredAfterAsync("login", null, null, null, 0, 100);
        Assert.Equal(["0", "2", "4", "6"], logins.Select(e => e.Details["n"]));
        Assert.All(logins, e => Assert.NotEqual("", e.Hash));

        var first = await Store.ListAuditFilteredAfterAsync("login", null, null, null, 0, 2);
        var rest = await Store.ListAuditFilteredAfterAsync("login", null, null, null, first[^1].Sequence, 2);
        Assert.Equal(["0", "2", "4", "6"], first.Concat(rest).Select(e => e.Details["n"]));

        var window = await Store.ListAuditFilteredAfterAsync(null, "ann", T0.AddMinutes(1), T0.AddMinutes(3), 0, 100);
        Assert.Equal(["1", "2"], window.Select(e => e.Details["n"]));
        // Unfiltered rows chain: each names the one before it.
        var all = await Store.ListAuditFilteredAfterAsync(null, null, null, null, 0, 100);
        Assert.Equal(7, all.Count);
        for (int i = 1; i < all.Count; i++) Assert.Equal(all[i - 1].Hash, all[i].PreviousHash);
    }
}
