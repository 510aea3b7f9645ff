using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>
/// What every metadata provider must do alike, run once per provider by a derived class: shared security state (lockout,
/// TOTP replay, revocation) in single statements that hold under concurrency, and the records the CLI and nodes read back.
/// </summary>
public abstract partial class MetadataStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LockFor = TimeSpan.FromMinutes(30);

    protected MetadataStore Store { get; private set; } = null!;

    /// <summary>A new, empty store of the provider under test.</summary>
    protected abstract Task<MetadataStore> OpenEmptyStoreAsync();

    public async Task InitializeAsync() => Store = await OpenEmptyStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    private static UserRecord User(string name, bool disabled = false) =>
        new(name, ["ops"], disabled, [1, 2, 3, 0, 255], "$argon2id$hash", T0);

    [Fact]
    public async Task The_lock_count_starts_again_when_a_lock_has_run_out()
    {
        for (int i = 1; i <= 10; i++) Assert.Equal((i, i == 10), await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0));
        var later = T0 + LockFor + TimeSpan.FromSeconds(1);
        Assert.Null(await Store.GetLockedUntilAsync("ann", "192.0.2.1", later));
        Assert.Equal((1, false), await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, later));
    }

    [Fact]
    public async Task A_failure_during_a_lock_does_not_extend_it_and_sources_count_apart()
    {
        for (int i = 0; i < 10; i++) await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0 + TimeSpan.FromMinutes(20));
        await Store.RecordFailureAsync("ann", "2001:db8::/64", 10, LockFor, T0);
        Assert.Equal(T0 + LockFor, await Store.GetLockedUntilAsync("ann", "192.0.2.1", T0 + TimeSpan.FromMinutes(21)));
        Assert.Null(await Store.GetLockedUntilAsync("ann", "2001:db8::/64", T0));
        Assert.Equal(T0 + LockFor, await Store.GetLockedUntilAsync("ann", T0));

        Assert.True(await Store.ClearFailuresAsync("ann", "2001:db8::/64"));
        Assert.NotNull(await Store.GetLockedUntilAsync("ann", "192.0.2.1", T0));
        Assert.True(await Store.ClearFailuresAsync("ann"));
        Assert.Null(await Store.GetLockedUntilAsync("ann", T0));
    }

    [Fact]
    public async Task Concurrent_failures_all_count_and_exactly_one_of_them_locks()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0))));
        Assert.Equal(Enumerable.Range(1, 16), results.Select(r => r.Failures).Order());
        Assert.All(results, r => Assert.Equal(r.Failures >= 10, r.Locked));
        Assert.Equal(T0 + LockFor, await Store.GetLockedUntilAsync("ann", "192.0.2.1", T0));
    }

    [Fact]
    public async Task An_administrators_lock_holds_from_every_source_and_is_listed()
    {
        await Store.LockUserAsync("ann", T0 + TimeSpan.FromHours(1));
        await Store.RecordFailureAsync("bob", "192.0.2.9", 1, LockFor, T0);
        Assert.Equal(T0 + TimeSpan.FromHours(1), await Store.GetLockedUntilAsync("ann", "198.51.100.7", T0));
        Assert.Equal(new HashSet<(string, string)> { ("ann", MetadataStore.AllSources), ("bob", "192.0.2.9") }, await Store.ListLocksAsync(T0));
        Assert.Empty(await Store.ListLocksAsync(T0 + TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task A_totp_step_is_used_once_and_never_an_earlier_one()
    {
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.True(await Store.TryUseTotpStepAsync("ann", 1000));
        Assert.False(await Store.TryUseTotpStepAsync("ann", 1000));
        Assert.False(await Store.TryUseTotpStepAsync("ann", 999));
        Assert.True(await Store.TryUseTotpStepAsync("ann", 1001));
        Assert.False(await Store.TryUseTotpStepAsync("nobody", 5));

        // A new secret forgets the steps of the old one.
        Assert.True(await Store.SetTotpSecretAsync("ann", [9, 9]));
        Assert.True(await Store.TryUseTotpStepAsync("ann", 1000));
    }

    [Fact]
    public async Task Of_concurrent_uses_of_one_totp_step_exactly_one_succeeds()
    {
        Assert.True(await Store.AddUserAsync(User("ann")));
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => Store.TryUseTotpStepAsync("ann", 5_000_000_000))));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Revocations_are_numbered_in_order_and_name_the_user()
    {
        Assert.Equal(0, await Store.LatestRevocationAsync());
        Assert.Null(await Store.GetUserRevokedAsync("ann"));
        long first = await Store.AddRevocationAsync(RevocationScopes.Policy, null, null, "role changed", "root");
        long second = await Store.AddRevocationAsync(RevocationScopes.User, "ann", null, "disabled", "root");
        long third = await Store.AddRevocationAsync(RevocationScopes.Session, null, "s-1", "killed", null);
        Assert.True(first < second && second < third);
        Assert.Equal(third, await Store.LatestRevocationAsync());

        var after = await Store.ListRevocationsAfterAsync(first);
        Assert.Equal([second, third], after.Select(r => r.Seq));
        Assert.Equal((RevocationScopes.User, "ann", (string?)null, "disabled", "root"), (after[0].Scope, after[0].User, after[0].SessionId, after[0].Reason, after[0].Actor));
        Assert.Equal("s-1", after[1].SessionId);
        Assert.Null(after[1].Actor);
        Assert.NotNull(await Store.GetUserRevokedAsync("ann"));
        Assert.Null(await Store.GetUserRevokedAsync("bob"));
    }

    [Fact]
    public async Task Users_keep_their_fields_and_a_second_add_of_a_name_is_refused()
    {
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.False(await Store.AddUserAsync(User("ann", disabled: true)));
        var ann = await Store.GetUserAsync("ann");
        Assert.NotNull(ann);
        Assert.Equal(["ops"], ann.Roles);
        Assert.Equal(new byte[] { 1, 2, 3, 0, 255 }, ann.EncryptedTotpSecret);
        Assert.Equal((false, "$argon2id$hash", T0), (ann.Disabled, ann.PasswordHash, ann.Created));

        Assert.True(await Store.SetUserDisabledAsync("ann", true));
        Assert.True(await Store.SetUserRolesAsync("ann", ["ops", "dba"]));
        Assert.True(await Store.SetPasswordHashAsync("ann", null));
        ann = await Store.GetUserAsync("ann");
        Assert.Equal(["ops", "dba"], ann!.Roles);
        Assert.Equal((true, (string?)null), (ann.Disabled, ann.PasswordHash));
        Assert.False(await Store.SetUserDisabledAsync("nobody", true));
        Assert.Equal(["ann"], (await Store.ListUsersAsync()).Select(u => u.Name));
    }

    [Fact]
    public async Task A_key_for_a_missing_user_is_refused_and_removing_a_user_removes_her_keys()
    {
        Assert.False(await Store.AddUserKeyAsync(new UserKeyRecord("nobody", "SHA256:x", "ssh-ed25519 AAAA", "")));
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.True(await Store.AddUserKeyAsync(new UserKeyRecord("ann", "SHA256:x", "ssh-ed25519 AAAA", "laptop")));
        Assert.False(await Store.AddUserKeyAsync(new UserKeyRecord("ann", "SHA256:x", "ssh-ed25519 AAAA", "again")));
        Assert.Equal("laptop", Assert.Single(await Store.ListUserKeysAsync("ann")).Comment);

        Assert.True(await Store.RemoveUserAsync("ann"));
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.Empty(await Store.ListUserKeysAsync("ann"));
    }
}
