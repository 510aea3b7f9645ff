using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>How names match in the policy: globs on whole target names, exact logins and roles, case and every code point counted.</summary>
public sealed class AccessPolicyMatchingTests
{
    private static TargetRecord Target(string name, params string[] logins) =>
        new(name, "10.0.0.1", 22, logins.Length == 0 ? ["ops"] : logins, ["ssh-ed25519 AAAA"], null, DateTimeOffset.UtcNow);

    private static UserRecord User(params string[] roles) => new("alice", roles, false, [1], null, DateTimeOffset.UtcNow);

    private static AccessPolicy Grant(string pattern, params string[] logins) =>
        new([new AccessRole("r", [pattern], logins.Length == 0 ? ["ops"] : logins, ChannelKinds.Default, null, null)]);

    private static bool Allowed(AccessPolicy policy, TargetRecord target, string login = "ops") =>
        policy.Check(User("r"), target, login, ChannelKinds.Shell) is null;

    [Theory]
    [InlineData("web*", "web01", true)]
    [InlineData("web*", "web", true)]
    [InlineData("web*", "xweb01", false)]
    [InlineData("*01", "db01", true)]
    [InlineData("*01", "db011", false)]
    [InlineData("web?", "web1", true)]
    [InlineData("web?", "web", false)]
    [InlineData("web?", "web12", false)]
    [InlineData("w*b*1", "web-prod-1", true)]
    [InlineData("web01", "web01", true)]
    [InlineData("web01", "web010", false)]
    [InlineData("web01", "web0", false)]
    [InlineData("*", "anything.example", true)]
    [InlineData("prod-*.eu", "prod-db.eu", true)]
    [InlineData("prod-*.eu", "prod-db.eu.evil", false)]
    [InlineData("*.*", "web01", false)]
    public void A_glob_matches_the_whole_target_name(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, AccessPolicy.Matches(pattern, name));
        Assert.Equal(matches, Allowed(Grant(pattern), Target(name)));
    }

    [Theory]
    [InlineData("web*", "WEB01")]
    [InlineData("web*", "Web01")]
    [InlineData("WEB*", "web01")]
    [InlineData("web01", "wEb01")]
    public void Target_names_match_in_their_case_only(string pattern, string name)
    {
        Assert.False(AccessPolicy.Matches(pattern, name));
        Assert.False(Allowed(Grant(pattern), Target(name)));
    }

    [Fact]
    public void Logins_and_role_names_match_in_their_case_only()
    {
        var target = Target("web01", "root", "Root", "deploy");
        var policy = Grant("web01", "root");
        Assert.True(Allowed(policy, target, "root"));
        Assert.False(Allowed(policy, target, "Root"));
        Assert.False(Allowed(policy, Target("web01", "ROOT"), "ROOT"));
        Assert.Equal(["root"], policy.LoginsFor(User("r"), target));

        Assert.NotNull(policy.Check(User("R"), target, "root", ChannelKinds.Shell));
        Assert.Empty(policy.Reachable(User("R"), [target]));
    }

    [Theory]
    [InlineData("w\u0435b01")] // Cyrillic е
    [InlineData("\u0445eb01")] // Cyrillic х, against the grant of xeb01
    [InlineData("\uFF57\uFF45\uFF42\uFF10\uFF11")] // fullwidth ｗｅｂ０１
    [InlineData("web0\u0661")] // Arabic-Indic one
    [InlineData("web01\u200b")] // zero-width space
    [InlineData("we\u0301b01")] // a combining accent
    public void A_look_alike_target_name_is_not_the_ascii_one(string name)
    {
        foreach (var grant in new[] { "web01", "xeb01" })
        {
            Assert.False(AccessPolicy.Matches(grant, name), $"{grant} matched {name}");
            Assert.False(Allowed(Grant(grant), Target(name)));
        }
    }

    [Fact]
    public void A_look_alike_login_is_not_the_ascii_one()
    {
        var policy = Grant("web01", "root");
        foreach (var login in new[] { "r\u043eot", "\uFF52\uFF4F\uFF4F\uFF54", "root\u200b" })
        {
            // Listed by the target or not, a look-alike login is not the one the role grants.
            Assert.False(Allowed(policy, Target("web01", "root", login), login));
            Assert.False(Allowed(policy, Target("web01", "root"), login));
        }
        Assert.True(Allowed(policy, Target("web01", "root"), "root"));
    }

    [Fact]
    public void Composed_and_decomposed_forms_are_different_names()
    {
        string composed = "caf\u00e9";
        string decomposed = "cafe\u0301";
        Assert.False(AccessPolicy.Matches(composed, decomposed));
        Assert.False(AccessPolicy.Matches(decomposed, composed));
        Assert.False(AccessPolicy.Matches("cafe", decomposed));
        Assert.False(Allowed(Grant(composed), Target(decomposed)));
        Assert.False(Allowed(Grant("web01", composed), Target("web01", decomposed), decomposed));
    }

    [Fact]
    public void A_look_alike_role_name_grants_nothing()
    {
        var policy = new AccessPolicy([new AccessRole("web", ["web*"], ["ops"], ChannelKinds.Default, null, null)]);
        foreach (var role in new[] { "w\u0435b", "\uFF57\uFF45\uFF42", "Web", "web\u200b" })
        {
            Assert.NotNull(policy.Check(User(role), Target("web01"), "ops", ChannelKinds.Shell));
            Assert.Empty(policy.Reachable(User(role), [Target("web01")]));
        }
        Assert.Null(policy.Check(User("web"), Target("web01"), "ops", ChannelKinds.Shell));
    }
}
