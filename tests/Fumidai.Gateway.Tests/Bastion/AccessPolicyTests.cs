using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>Deny by default; roles grant targets by glob, logins, channel kinds and the shortest time limits.</summary>
public sealed class AccessPolicyTests
{
    private static readonly TargetRecord Web01 = new("web01", "10.0.0.1", 22, ["ec2-user", "root"], ["ssh-ed25519 AAAA"], null, DateTimeOffset.UtcNow);
    private static readonly TargetRecord Db01 = new("db01", "10.0.0.2", 22, ["postgres"], ["ssh-ed25519 AAAA"], null, DateTimeOffset.UtcNow);

    private static UserRecord User(params string[] roles) => new("alice", roles, false, [1], null, DateTimeOffset.UtcNow);

    private static readonly AccessPolicy Policy = new(
    [
        new AccessRole("web", ["web*"], ["ec2-user"], ChannelKinds.Default, TimeSpan.FromMinutes(5), null),
        new AccessRole("web-root", ["web01"], ["root"], [ChannelKinds.Exec], null, TimeSpan.FromHours(1)),
        new AccessRole("db", ["db*"], ["postgres"], [ChannelKinds.Shell], null, null),
    ]);

    [Fact]
    public void No_role_means_no_access()
    {
        Assert.NotNull(Policy.Check(User(), Web01, "ec2-user", ChannelKinds.Shell));
        Assert.NotNull(Policy.Check(User(BuiltInRoles.Admin), Web01, "ec2-user", ChannelKinds.Shell));
    }

    [Fact]
    public void Role_grants_matching_targets_logins_and_kinds_only()
    {
        var alice = User("web");
        Assert.Null(Policy.Check(alice, Web01, "ec2-user", ChannelKinds.Shell));
        Assert.Null(Policy.Check(alice, Web01, "ec2-user", ChannelKinds.Sftp));
        Assert.NotNull(Policy.Check(alice, Web01, "ec2-user", ChannelKinds.PortForward));
        Assert.NotNull(Policy.Check(alice, Web01, "root", ChannelKinds.Shell));
        Assert.NotNull(Policy.Check(alice, Db01, "postgres", ChannelKinds.Shell));
    }

    [Fact]
    public void Kinds_are_granted_per_login()
    {
        var alice = User("web", "web-root");
        Assert.Null(Policy.Check(alice, Web01, "root", ChannelKinds.Exec));
        Assert.NotNull(Policy.Check(alice, Web01, "root", ChannelKinds.Shell));
    }

    [Fact]
    public void A_login_must_be_one_the_target_lists()
    {
        var role = new AccessPolicy([new AccessRole("any", ["*"], ["admin"], ChannelKinds.Default, null, null)]);
        Assert.NotNull(role.Check(User("any"), Web01, "admin", ChannelKinds.Shell));
    }

    [Fact]
    public void Menu_lists_reachable_targets_with_their_logins()
    {
        var reachable = Policy.Reachable(User("web", "db"), [Web01, Db01]);
        Assert.Equal(["web01", "db01"], reachable.Select(r => r.Target.Name));
        Assert.Equal(["ec2-user"], reachable[0].Logins);
    }

    [Fact]
    public void Shortest_idle_timeout_and_max_session_win()
    {
        var alice = User("web", "web-root");
        Assert.Equal(TimeSpan.FromMinutes(5), Policy.IdleTimeoutFor(alice, Web01, "ec2-user", TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.FromMinutes(15), Policy.IdleTimeoutFor(alice, Web01, "root", TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.FromHours(1), Policy.MaxSessionFor(alice, Web01, "root", null));
        Assert.Equal(TimeSpan.FromMinutes(30), Policy.MaxSessionFor(alice, Web01, "root", TimeSpan.FromMinutes(30)));
    }
}
