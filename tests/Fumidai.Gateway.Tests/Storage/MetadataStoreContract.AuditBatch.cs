using System.Globalization;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    /// <summary>Another store on the same database, as a second node (or a CLI process beside <c>serve</c>) opens it.</summary>
    protected abstract Task<MetadataStore> OpenSecondStoreAsync();

    private static AuditEvent Numbered(string writer, int i) => new(T0.AddSeconds(i), AuditTypes.AdminChange, "ann", AuditOutcome.Success, "cli", null,
        new Dictionary<string, string> { ["writer"] = writer, ["i"] = i.ToString(CultureInfo.InvariantCulture) });

    private static void AssertUnbrokenChain(IReadOnlyList<AuditEvent> chain)
    {
        string previous = MetadataStore.GenesisHash;
        foreach (var e in chain)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(MetadataStore.AuditHash(previous, e), e.Hash);
            previous = e.Hash;
        }
        Assert.Equal(chain.Count, chain.Select(e => e.PreviousHash).Distinct().Count());
    }

    [Fact]
    public async Task Appends_from_many_tasks_on_two_stores_form_one_chain_and_each_caller_gets_its_own_link()
    {
        await using var second = await OpenSecondStoreAsync();
        const int Writers = 6, Each = 20;
        var stores = new[] { Store, second };
        // Each writer appends one after another (so its own events keep their order); writers and stores run at once.
        var writers = Enumerable.Range(0, 2 * Writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<AuditEvent>();
            for (int i = 0; i < Each; i++) mine.Add(await stores[w % 2].AppendAuditAsync(Numbered("w" + w, i)));
            return (Writer: "w" + w, Events: mine);
        })).ToArray();
        var results = await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(2));

        var chain = await Store.ListAuditAsync(null);
        Assert.Equal(2 * Writers * Each, chain.Count);
        AssertUnbrokenChain(chain);
        var bySequence = chain.ToDictionary(e => e.Sequence);
        foreach (var (writer, events) in results)
        {
            Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
            for (int i = 0; i < events.Count; i++)
            {
                var stored = bySequence[events[i].Sequence];
                Assert.Equal(writer, stored.Details["writer"]);
                Assert.Equal(i.ToString(CultureInfo.InvariantCulture), stored.Details["i"]);
                Assert.Equal(stored.Hash, events[i].Hash);
                Assert.Equal(stored.PreviousHash, events[i].PreviousHash);
            }
        }
    }

    [Fact]
    public async Task A_batch_that_fails_stores_none_of_its_events_and_the_chain_goes_on_from_where_it_was()
    {
        var first = await Store.AppendAuditAsync(Numbered("a", 0));
        // A null type breaks the table's NOT NULL constraint: the insert of the second event fails inside the transaction.
        var broken = Numbered("a", 2) with { Type = null! };
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Store.AppendAuditBatchAsync([Numbered("a", 1), broken, Numbered("a", 3)]));

        Assert.Equal([first.Hash], (await Store.ListAuditAsync(null)).Select(e => e.Hash));
        var next = await Store.AppendAuditBatchAsync([Numbered("a", 4), Numbered("a", 5)]);
        Assert.Equal(first.Hash, next[0].PreviousHash);
        Assert.Equal(next[0].Hash, next[1].PreviousHash);
        var chain = await Store.ListAuditAsync(null);
        AssertUnbrokenChain(chain);
        Assert.Equal(next.Select(e => e.Sequence), chain.Skip(1).Select(e => e.Sequence));
    }

    [Fact]
    public async Task User_states_are_read_for_many_users_at_once_with_their_latest_user_wide_revocation()
    {
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.True(await Store.AddUserAsync(User("bob", disabled: true)));
        Assert.True(await Store.AddUserAsync(User("cy")));
        await Store.AddRevocationAsync(RevocationScopes.User, "ann", null, "first", "admin");
        await Store.AddRevocationAsync(RevocationScopes.User, "ann", null, "second", "admin");
        await Store.AddRevocationAsync(RevocationScopes.Session, "cy", "s1", "", "admin");
        await Store.AddRevocationAsync(RevocationScopes.User, "gone", null, "", "admin");

        var states = await Store.GetUserStatesAsync(["ann", "bob", "cy", "gone", "ann"]);

        Assert.Equal(["ann", "bob", "cy", "gone"], states.Keys.Order(StringComparer.Ordinal));
        foreach (var name in new[] { "ann", "bob", "cy" })
        {
            var user = (await Store.GetUserAsync(name))!;
            var read = states[name].User!;
            Assert.Equal((user.Name, user.Disabled, user.Created), (read.Name, read.Disabled, read.Created));
            Assert.Equal(user.Roles, read.Roles);
            Assert.Equal(user.EncryptedTotpSecret, read.EncryptedTotpSecret);
            Assert.Equal(await Store.GetUserRevokedAsync(name), states[name].Revoked);
        }
        Assert.NotNull(states["ann"].Revoked);
        Assert.Null(states["cy"].Revoked);
        Assert.True(states["bob"].User!.Disabled);
        // A user no longer stored is refused for that alone, whatever her revocations.
        Assert.Equal(new UserState(null, null), states["gone"]);
        Assert.Empty(await Store.GetUserStatesAsync([]));
        // More names than one query takes.
        var many = await Store.GetUserStatesAsync([.. Enumerable.Range(0, 1200).Select(i => "u" + i), "ann"]);
        Assert.Equal(1201, many.Count);
        Assert.Equal(await Store.GetUserRevokedAsync("ann"), many["ann"].Revoked);
    }
}
