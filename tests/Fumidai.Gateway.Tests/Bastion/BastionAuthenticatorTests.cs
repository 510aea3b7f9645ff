using Fumidai.Gateway.Tests.EndToEnd;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>Lockout, empty passwords and odd user names, attempt by attempt; codes come from oathtool.</summary>
public sealed class BastionAuthenticatorTests : IAsyncLifetime
{
    private const string Attacker = "192.0.2.66";
    private AuthenticatorRig _rig = null!;

    public async Task InitializeAsync() => _rig = await AuthenticatorRig.CreateAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private long Step => _rig.Step;

    private Task<bool> LoginAsync(string user, Ssh.Keys.SshPublicKey key, string code, string source = "127.0.0.1") =>
        _rig.LoginAsync(user, key, code, source);

    [Fact]
    public async Task An_empty_password_is_an_ordinary_failure_and_audited()
    {
        await _rig.AddUserAsync("erin", withPassword: true);

        var decision = await _rig.PasswordAsync(AuthenticatorRig.Connection(), "erin", "");

        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == "login.failure" && e.User == "erin" && e.Details["method"] == "password");
    }

    [Fact]
    public async Task An_empty_password_for_a_user_without_one_is_an_ordinary_failure_too()
    {
        await _rig.AddUserAsync("kay", withPassword: false);

        var decision = await _rig.PasswordAsync(AuthenticatorRig.Connection(), "kay", "");

        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == "login.failure" && e.User == "kay");
    }

    [Fact]
    public async Task Ten_wrong_passwords_against_a_key_only_user_do_not_lock_her()
    {
        var (key, secret) = await _rig.AddUserAsync("keya", withPassword: false);
        for (int i = 0; i < 12; i++)
            Assert.Equal(AuthenticationOutcome.Failure, (await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "keya", "guess number " + i)).Outcome);

        Assert.Null(await _rig.Store.GetLockedUntilAsync("keya", _rig.Clock.GetUtcNow()));
        Assert.True(await LoginAsync("keya", key, await Totp.CodeAsync(secret, Step)));
        // Each guess is still audited: a spray shows up in the log even though it cannot lock anyone out.
        Assert.Equal(12, (await _rig.AuditEventsAsync()).Count(e => e.Type == "login.failure" && e.User == "keya"));
    }

    [Fact]
    public async Task Ten_wrong_codes_from_one_source_lock_that_source_only()
    {
        var (key, secret) = await _rig.AddUserAsync("ann", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, Step);
        for (int i = 0; i < 10; i++) Assert.False(await LoginAsync("ann", key, wrong, Attacker));
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == "login.lockout" && e.User == "ann");

        Assert.False(await LoginAsync("ann", key, await Totp.CodeAsync(secret, Step), Attacker));
        Assert.True(await LoginAsync("ann", key, await Totp.CodeAsync(secret, Step + 1), "127.0.0.1"));
    }

    [Fact]
    public async Task The_same_wrong_code_retried_in_one_connection_counts_once()
    {
        var (key, secret) = await _rig.AddUserAsync("rita", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, Step);
        for (int i = 0; i < 7; i++) Assert.False(await LoginAsync("rita", key, wrong));
        var connection = AuthenticatorRig.Connection();
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, "rita", key)).Outcome);
        for (int i = 0; i < 3; i++) Assert.Equal(AuthenticationOutcome.Failure, (await _rig.CodeAsync(connection, "rita", wrong)).Decision.Outcome);

        // 7 + 1 failures, not 10: she is not locked and her next right code lets her in.
        Assert.Null(await _rig.Store.GetLockedUntilAsync("rita", _rig.Clock.GetUtcNow()));
        Assert.True(await LoginAsync("rita", key, await Totp.CodeAsync(secret, Step)));
    }

    [Fact]
    public async Task When_a_lock_expires_one_more_failure_does_not_lock_again()
    {
        var (key, secret) = await _rig.AddUserAsync("lena", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, Step);
        for (int i = 0; i < 10; i++) Assert.False(await LoginAsync("lena", key, wrong));
        Assert.NotNull(await _rig.Store.GetLockedUntilAsync("lena", _rig.Clock.GetUtcNow()));

        _rig.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.False(await LoginAsync("lena", key, await Totp.WrongCodeAsync(secret, Step)));

        Assert.Null(await _rig.Store.GetLockedUntilAsync("lena", _rig.Clock.GetUtcNow()));
        Assert.True(await LoginAsync("lena", key, await Totp.CodeAsync(secret, Step)));
    }

    [Theory]
    [InlineData("x\u001b[2K\rlogin success admin")]
    [InlineData("bob\u007f")]
    [InlineData("bob\u0085")]
    [InlineData("admin\u202egnp.exe")]
    [InlineData("ad\u200bmin")]
    public async Task A_user_name_with_control_characters_is_refused_and_audited_escaped(string name)
    {
        var decision = await _rig.Authenticator.AuthenticateAsync(new NoneAttempt(name), AuthenticatorRig.Connection(), CancellationToken.None);
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        decision = await _rig.PasswordAsync(AuthenticatorRig.Connection(), name, "whatever 1234");
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);

        var events = await _rig.AuditEventsAsync();
        var failures = events.Where(e => e.Type == "login.failure").ToList();
        Assert.NotEmpty(failures);
        foreach (var failure in failures)
        {
            Assert.DoesNotContain(failure.User ?? "", c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
            Assert.StartsWith(name[..2].Replace("\u001b", "\\u001b"), failure.User);
        }
    }

    [Fact]
    public async Task A_password_for_a_user_without_one_gets_the_same_answer_as_a_wrong_password()
    {
        await _rig.AddUserAsync("haspw", withPassword: true);
        await _rig.AddUserAsync("nopw", withPassword: false);

        var wrong = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "haspw", "guess number 1");
        var none = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "nopw", "guess number 1");
        var unknown = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "nobody", "guess number 1");

        foreach (var decision in new[] { none, unknown })
        {
            Assert.Equal(wrong.Outcome, decision.Outcome);
            Assert.Equal(wrong.NextMethods, decision.NextMethods);
            Assert.Null(decision.Notice);
        }
        Assert.Null(wrong.Notice);
    }

    [Fact]
    public async Task A_wrong_code_and_a_replayed_code_are_explained()
    {
        var (key, secret) = await _rig.AddUserAsync("tess", withPassword: false);
        var connection = AuthenticatorRig.Connection();
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, "tess", key)).Outcome);
        var (wrong, _) = await _rig.CodeAsync(connection, "tess", await Totp.WrongCodeAsync(secret, Step));
        Assert.Equal(Gateway.Bastion.BastionAuthenticator.WrongCodeNotice, wrong.Notice);

        string code = await Totp.CodeAsync(secret, Step);
        Assert.True(await LoginAsync("tess", key, code));
        connection = AuthenticatorRig.Connection();
        await _rig.KeyAsync(connection, "tess", key);
        var (replayed, _) = await _rig.CodeAsync(connection, "tess", code);
        Assert.Equal(AuthenticationOutcome.Failure, replayed.Outcome);
        Assert.Equal(Gateway.Bastion.BastionAuthenticator.ReplayedCodeNotice, replayed.Notice);
    }

    [Fact]
    public async Task A_lock_is_explained_to_her_key_but_not_to_a_password_or_a_stranger()
    {
        var (key, secret) = await _rig.AddUserAsync("lou", withPassword: true);
        string wrong = await Totp.WrongCodeAsync(secret, Step);
        for (int i = 0; i < 9; i++) Assert.False(await LoginAsync("lou", key, wrong, Attacker));
        var connection = AuthenticatorRig.Connection(Attacker);
        await _rig.KeyAsync(connection, "lou", key);
        var (tenth, _) = await _rig.CodeAsync(connection, "lou", wrong);
        Assert.Contains("wrong verification code", tenth.Notice);
        Assert.Contains("locked", tenth.Notice);

        var byKey = await _rig.KeyAsync(AuthenticatorRig.Connection(Attacker), "lou", key);
        Assert.Equal(AuthenticationOutcome.Failure, byKey.Outcome);
        Assert.Contains("locked", byKey.Notice);
        Assert.Contains("UTC", byKey.Notice);

        var byPassword = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "lou", AuthenticatorRig.Password);
        Assert.Equal(AuthenticationOutcome.Failure, byPassword.Outcome);
        Assert.Null(byPassword.Notice);
        var otherKey = Ssh.Keys.SshPrivateKey.Generate(Ssh.Keys.SshKeyTypes.Ed25519).PublicKey;
        var stranger = await _rig.KeyAsync(AuthenticatorRig.Connection(Attacker), "lou", otherKey);
        Assert.Null(stranger.Notice);
    }

    [Fact]
    public async Task IPv6_failures_count_per_slash_64()
    {
        var (key, secret) = await _rig.AddUserAsync("vic", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, Step);
        // Ten different addresses of one /64: one source, so it is locked, including an eleventh address in it.
        for (int i = 1; i <= 10; i++) Assert.False(await LoginAsync("vic", key, wrong, $"2001:db8:5:6::{i:x}"));

        Assert.False(await LoginAsync("vic", key, await Totp.CodeAsync(secret, Step), "2001:db8:5:6:ffff::1"));
        Assert.True(await LoginAsync("vic", key, await Totp.CodeAsync(secret, Step + 1), "2001:db8:5:7::1"));
    }
}
