using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Storage;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Using_a_step_with_the_account_read_marks_it_used_once_and_reads_what_the_separate_reads_read()
    {
        Assert.False((await Store.UseTotpStepAsync("nobody", 5, "192.0.2.1", T0)).Used);
        await Store.AddUserAsync(User("ann"));

        var first = await Store.UseTotpStepAsync("ann", 1000, "192.0.2.1", T0);
        Assert.True(first.Used);
        Assert.Equal(Shown(await Store.GetUserAsync("ann")), Shown(first.User));
        Assert.Equal((null, false), (first.LockedUntil, first.SourceHasFailures));
        // The step is spent for the separate call too, and the other way round: one replay rule whichever method is used.
        Assert.False(await Store.TryUseTotpStepAsync("ann", 1000));
        Assert.False((await Store.UseTotpStepAsync("ann", 1000, "192.0.2.1", T0)).Used);
        Assert.False((await Store.UseTotpStepAsync("ann", 999, "192.0.2.1", T0)).Used);
        Assert.True(await Store.TryUseTotpStepAsync("ann", 1001));
        Assert.False((await Store.UseTotpStepAsync("ann", 1001, "192.0.2.1", T0)).Used);
    }

    [Fact]
    public async Task Using_a_step_reports_failures_of_exactly_this_source_and_its_lock()
    {
        await Store.AddUserAsync(User("ann"));
        await Store.RecordFailureAsync("ann", "198.51.100.7", 10, LockFor, T0);
        var elsewhere = await Store.UseTotpStepAsync("ann", 1000, "192.0.2.1", T0);
        Assert.Equal((true, false, null), (elsewhere.Used, elsewhere.SourceHasFailures, elsewhere.LockedUntil));

        await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        var here = await Store.UseTotpStepAsync("ann", 1001, "192.0.2.1", T0);
        Assert.Equal((true, true, null), (here.Used, here.SourceHasFailures, here.LockedUntil));

        for (int i = 0; i < 9; i++) await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        var locked = await Store.UseTotpStepAsync("ann", 1002, "192.0.2.1", T0 + TimeSpan.FromMinutes(1));
        Assert.Equal((true, true, T0 + LockFor), (locked.Used, locked.SourceHasFailures, locked.LockedUntil));
        Assert.Equal(await Store.GetLockedUntilAsync("ann", "192.0.2.1", T0 + TimeSpan.FromMinutes(1)), locked.LockedUntil);

        await Store.SetUserDisabledAsync("ann", true);
        var disabled = await Store.UseTotpStepAsync("ann", 1003, "198.51.100.7", T0);
        Assert.True(disabled.Used);
        Assert.True(disabled.User!.Disabled);
    }

    [Fact]
    public async Task Concurrent_uses_of_one_step_with_the_account_read_let_exactly_one_through()
    {
        await Store.AddUserAsync(User("ann"));
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.UseTotpStepAsync("ann", 2000, "192.0.2.1", T0))));
        Assert.Single(results, r => r.Used);
        Assert.False(await Store.TryUseTotpStepAsync("ann", 2000));
    }

    [Fact]
    public async Task Session_start_facts_are_the_login_facts_the_roles_and_the_targets_as_their_own_reads_give_them()
    {
        var none = await Store.GetSessionStartFactsAsync("nobody", "192.0.2.1", T0);
        Assert.Equal((null, 0, 0), (none.Login.User, none.Roles.Count, none.Targets.Count));

        await Store.AddUserAsync(User("ann"));
        await Store.AddUserKeyAsync(new UserKeyRecord("ann", "SHA256:aaa", "ssh-ed25519 AAAA ann@a", "a"));
        await Store.AddRoleAsync(new AccessRole("ops", ["web*"], ["root"], ["shell"], TimeSpan.FromMinutes(5), null));
        await Store.AddRoleAsync(new AccessRole("db", ["db01"], ["postgres"], ["exec"], null, TimeSpan.FromHours(1)));
        await Store.AddTargetAsync(new TargetRecord("web01", "127.0.0.1", 2201, ["root", "deploy"], ["ssh-ed25519 AAAA"], [7, 0, 7], T0));
        await Store.AddTargetAsync(new TargetRecord("db01", "127.0.0.2", 22, ["postgres"], [], null, T0));
        for (int i = 0; i < 10; i++) await Store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        await Store.AddRevocationAsync("user", "ann", null, "left", "admin");

        var now = T0 + TimeSpan.FromMinutes(1);
        var start = await Store.GetSessionStartFactsAsync("ann", "192.0.2.1", now);
        var facts = await Store.GetLoginFactsAsync("ann", "192.0.2.1", now);
        Assert.Equal(Shown(facts.User), Shown(start.Login.User));
        Assert.Equal(facts.Keys, start.Login.Keys);
        Assert.Equal((facts.LockedUntil, facts.Revoked, facts.MachineAllowedFrom), (start.Login.LockedUntil, start.Login.Revoked, start.Login.MachineAllowedFrom));
        Assert.Equal(T0 + LockFor, start.Login.LockedUntil);
        Assert.Equal(await Store.ListRolesAsync(), start.Roles, RoleComparer.Instance);
        Assert.Equal(["db", "ops"], start.Roles.Select(r => r.Name));
        var targets = await Store.ListTargetsAsync();
        Assert.Equal(targets.Select(ShownTarget), start.Targets.Select(ShownTarget));
        Assert.Equal(["db01", "web01"], start.Targets.Select(t => t.Name));
    }

    private static string ShownTarget(TargetRecord t) =>
        $"{t.Name} {t.Host}:{t.Port} [{string.Join(",", t.Logins)}] [{string.Join(",", t.HostKeys)}] {Convert.ToHexString(t.EncryptedPrivateKey ?? [])} {t.Created:O}";

    private sealed class RoleComparer : IEqualityComparer<AccessRole>
    {
        public static readonly RoleComparer Instance = new();

        public bool Equals(AccessRole? x, AccessRole? y) => Shown(x) == Shown(y);

        public int GetHashCode(AccessRole obj) => Shown(obj).GetHashCode(StringComparison.Ordinal);

        private static string Shown(AccessRole? r) => r is null ? "" :
            $"{r.Name} [{string.Join(",", r.TargetPatterns)}] [{string.Join(",", r.Logins)}] [{string.Join(",", r.Allow)}] {r.IdleTimeout} {r.MaxSession}";
    }
}
