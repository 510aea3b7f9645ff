using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    private static readonly TimeSpan FactsLock = TimeSpan.FromMinutes(30);

    /// <summary>The batched read must answer exactly what the separate reads answer.</summary>
    private async Task AssertFactsMatchSeparateReadsAsync(string user, string source, DateTimeOffset now)
    {
        var facts = await Store.GetLoginFactsAsync(user, source, now);
        var separate = await new SeparateLoginFacts(Store, Store, Store).GetLoginFactsAsync(user, source, now);
        Assert.Equal(Shown(separate.User), Shown(facts.User));
        Assert.Equal(separate.Keys, facts.Keys);
        Assert.Equal((separate.LockedUntil, separate.Revoked, separate.MachineAllowedFrom), (facts.LockedUntil, facts.Revoked, facts.MachineAllowedFrom));
    }

    private static string Shown(UserRecord? u) => u is null ? "(none)"
        : $"{u.Name} [{string.Join(",", u.Roles)}] {u.Disabled} {Convert.ToHexString(u.EncryptedTotpSecret ?? [])} {u.PasswordHash} {u.Created:O}";

    [Fact]
    public async Task Login_facts_read_together_are_the_user_her_keys_her_lock_from_the_source_her_revocation_and_machine_addresses()
    {
        var empty = await Store.GetLoginFactsAsync("nobody", "192.0.2.1", T0);
        Assert.Equal((null, 0, null, null, null), (empty.User, empty.Keys.Count, empty.LockedUntil, empty.Revoked, empty.MachineAllowedFrom));
        await AssertFactsMatchSeparateReadsAsync("nobody", "192.0.2.1", T0);

        var ann = User("ann");
        await Store.AddUserAsync(ann);
        await Store.AddUserKeyAsync(new UserKeyRecord("ann", "SHA256:bbb", "ssh-ed25519 BBBB ann@b", "b"));
        await Store.AddUserKeyAsync(new UserKeyRecord("ann", "SHA256:aaa", "ssh-ed25519 AAAA ann@a", "a"));
        await Store.AddUserAsync(User("bob"));
        await Store.AddUserKeyAsync(new UserKeyRecord("bob", "SHA256:ccc", "ssh-ed25519 CCCC bob", "c"));
        var plain = await Store.GetLoginFactsAsync("ann", "192.0.2.1", T0);
        Assert.Equal("ann", plain.User!.Name);
        Assert.Equal(["SHA256:aaa", "SHA256:bbb"], plain.Keys.Select(k => k.Fingerprint));
        Assert.Equal((null, null, null), (plain.LockedUntil, plain.Revoked, plain.MachineAllowedFrom));
        await AssertFactsMatchSeparateReadsAsync("ann", "192.0.2.1", T0);

        for (int i = 0; i < 10; i++) await Store.RecordFailureAsync("ann", "192.0.2.1", 10, FactsLock, T0);
        await Store.AddRevocationAsync("user", "ann", null, "left", "admin");
        await Store.AddMachineAccountAsync("ann", "192.0.2.0/24");
        var locked = await Store.GetLoginFactsAsync("ann", "192.0.2.1", T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(T0 + FactsLock, locked.LockedUntil);
        Assert.NotNull(locked.Revoked);
        Assert.Equal("192.0.2.0/24", locked.MachineAllowedFrom);
        await AssertFactsMatchSeparateReadsAsync("ann", "192.0.2.1", T0 + TimeSpan.FromMinutes(1));
        // Another source is not locked; a lock that has run out is no lock.
        Assert.Null((await Store.GetLoginFactsAsync("ann", "198.51.100.7", T0)).LockedUntil);
        Assert.Null((await Store.GetLoginFactsAsync("ann", "192.0.2.1", T0 + FactsLock + TimeSpan.FromSeconds(1))).LockedUntil);
        await AssertFactsMatchSeparateReadsAsync("ann", "198.51.100.7", T0);
        await AssertFactsMatchSeparateReadsAsync("ann", "192.0.2.1", T0 + FactsLock + TimeSpan.FromSeconds(1));
        Assert.Equal(["SHA256:ccc"], (await Store.GetLoginFactsAsync("bob", "192.0.2.1", T0)).Keys.Select(k => k.Fingerprint));
        await AssertFactsMatchSeparateReadsAsync("bob", "192.0.2.1", T0);
    }
}
