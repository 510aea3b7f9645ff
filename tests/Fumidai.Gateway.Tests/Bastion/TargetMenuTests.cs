using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The menu's text, how a typed choice is read, and the refusal that does not reveal which targets exist.</summary>
public sealed class TargetMenuTests
{
    private static TargetRecord Target(string name, params string[] logins) =>
        new(name, "10.0.0.1", 22, logins, ["ssh-ed25519 AAAA"], null, DateTimeOffset.UtcNow);

    private static readonly TargetRecord Web01 = Target("web01", "ec2-user", "root");
    private static readonly TargetRecord Db = Target("db-primary", "postgres");
    private static readonly TargetRecord Hidden = Target("vault", "root");

    private static readonly AccessPolicy Policy = new(
    [
        new AccessRole("web", ["web*"], ["ec2-user"], ChannelKinds.Default, null, null),
        new AccessRole("db", ["db-*"], ["postgres"], [ChannelKinds.Exec], null, null),
    ]);

    private static readonly UserRecord Alice = new("alice", ["web", "db"], false, [1], null, DateTimeOffset.UtcNow);

    private static IReadOnlyList<(TargetRecord Target, IReadOnlyList<string> Logins)> Reachable => Policy.Reachable(Alice, [Web01, Db, Hidden]);

    [Fact]
    public void The_menu_numbers_reachable_targets_aligned_with_their_logins_and_says_it_is_recorded()
    {
        string text = TargetMenu.Render("alice", Reachable);

        Assert.Equal(
            "Fumidai: targets alice may use (this session is recorded)\r\n" +
            "   1) web01       as ec2-user\r\n" +
            "   2) db-primary  as postgres\r\n" +
            "Connect directly next time with: ssh -p PORT alice:TARGET@bastion or alice:LOGIN@TARGET@bastion\r\n", text);
        Assert.DoesNotContain("vault", text);
    }

    [Fact]
    public void An_empty_menu_says_whom_to_ask()
    {
        string text = TargetMenu.Render("bob", []);
        Assert.Contains("(none: ask an administrator for a role)", text);
        Assert.DoesNotContain(" 1)", text);
        Assert.EndsWith("\r\n", text);
    }

    [Theory]
    [InlineData("1", "web01", null)]
    [InlineData("2", "db-primary", null)]
    [InlineData("web01", "web01", null)]
    [InlineData("root@web01", "web01", "root")]
    [InlineData("ec2-user@web01", "web01", "ec2-user")]
    [InlineData("a@b@web01", "web01", "a@b")]
    public void A_choice_is_a_number_a_name_or_login_at_name(string choice, string target, string? login)
    {
        var chosen = TargetMenu.Choose(choice, Reachable);
        Assert.NotNull(chosen);
        Assert.Equal(target, chosen.Value.Target.Name);
        Assert.Equal(login, chosen.Value.Login);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("99999999999")]
    [InlineData("vault")]
    [InlineData("root@vault")]
    [InlineData("WEB01")]
    [InlineData("web0")]
    [InlineData("web*")]
    [InlineData("w\u0435b01")] // Cyrillic е
    [InlineData("\uFF57\uFF45\uFF42\uFF10\uFF11")] // fullwidth
    [InlineData("\uFF11")] // fullwidth one
    [InlineData("\u0661")] // Arabic-Indic one
    [InlineData("web01@")]
    [InlineData("")]
    public void A_choice_naming_nothing_listed_is_none(string choice) => Assert.Null(TargetMenu.Choose(choice, Reachable));

    [Theory]
    [InlineData("web01", "web01", null)]
    [InlineData("root@web01", "web01", "root")]
    [InlineData("@web01", "web01", "")]
    [InlineData("root@", "", "root")]
    [InlineData("a@b@c", "c", "a@b")]
    public void Split_takes_the_target_after_the_last_at(string choice, string target, string? login) =>
        Assert.Equal((target, login), TargetMenu.Split(choice));

    [Fact]
    public void A_target_without_a_role_is_refused_in_the_words_of_one_that_does_not_exist()
    {
        string hidden = TargetMenu.RefusalLine(Policy, Alice, Hidden, "vault", TargetMenu.Refusal(Policy, Alice, Hidden, "root", ChannelKinds.Shell));
        string missing = TargetMenu.RefusalLine(Policy, Alice, null, "vault", TargetMenu.Refusal(Policy, Alice, null, "root", ChannelKinds.Shell));

        Assert.Equal(missing, hidden);
        Assert.Equal("access denied: unknown target 'vault', or none of your roles grants it", hidden);
        // The audit still keeps the difference.
        Assert.Equal("unknown target", TargetMenu.Refusal(Policy, Alice, null, "root", ChannelKinds.Shell));
        Assert.Equal("no role grants access to vault", TargetMenu.Refusal(Policy, Alice, Hidden, "root", ChannelKinds.Shell));
    }

    [Fact]
    public void On_a_target_she_may_use_the_precise_reason_is_hers_to_see()
    {
        string? login = TargetMenu.Refusal(Policy, Alice, Web01, "root", ChannelKinds.Shell);
        Assert.Equal("access denied: no role grants root on web01", TargetMenu.RefusalLine(Policy, Alice, Web01, "web01", login));
        string? kind = TargetMenu.Refusal(Policy, Alice, Db, "postgres", ChannelKinds.Shell);
        Assert.Equal("access denied: shell is not allowed on db-primary as postgres", TargetMenu.RefusalLine(Policy, Alice, Db, "db-primary", kind));
        Assert.Null(TargetMenu.Refusal(Policy, Alice, Db, "postgres", ChannelKinds.Exec));
        // Without a login the target's first is checked, as the session does.
        Assert.Equal("no role grants root on web02", TargetMenu.Refusal(Policy, Alice, Target("web02", "root", "ec2-user"), null, ChannelKinds.Shell));
        Assert.Null(TargetMenu.Refusal(Policy, Alice, Target("web02", "ec2-user", "root"), null, ChannelKinds.Shell));
    }
}
