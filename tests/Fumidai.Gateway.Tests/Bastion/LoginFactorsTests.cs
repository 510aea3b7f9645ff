using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Tests.EndToEnd;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>Both factors in order: a key or a password, then a code from oathtool; wrong, replayed and out-of-window codes refused.</summary>
public sealed class LoginFactorsTests : IAsyncLifetime
{
    private AuthenticatorRig _rig = null!;

    public async Task InitializeAsync() => _rig = await AuthenticatorRig.CreateAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_key_then_a_code_logs_her_in_and_the_audit_names_both_factors()
    {
        var (key, secret) = await _rig.AddUserAsync("kim", withPassword: false);
        var connection = AuthenticatorRig.Connection();

        var first = await _rig.KeyAsync(connection, "kim:web01", key);
        Assert.Equal(AuthenticationOutcome.PartialSuccess, first.Outcome);
        Assert.Equal([AuthenticationMethods.KeyboardInteractive], first.NextMethods);
        var (second, prompter) = await _rig.CodeAsync(connection, "kim:web01", await Totp.CodeAsync(secret, _rig.Step));

        Assert.Equal(AuthenticationOutcome.Success, second.Outcome);
        var prompt = Assert.Single(prompter.Prompts);
        Assert.Equal(BastionAuthenticator.CodePrompt, prompt.Prompt);
        Assert.False(prompt.Echo);
        var login = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        Assert.Equal(("kim", "web01", "publickey+totp", key.Fingerprint), (login.User, login.Target, login.Details["method"], login.Details["key"]));
    }

    [Fact]
    public async Task A_password_then_a_code_logs_her_in()
    {
        var (_, secret) = await _rig.AddUserAsync("pat", withPassword: true);
        var connection = AuthenticatorRig.Connection();

        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.PasswordAsync(connection, "pat", AuthenticatorRig.Password)).Outcome);
        var (second, _) = await _rig.CodeAsync(connection, "pat", await Totp.CodeAsync(secret, _rig.Step));

        Assert.Equal(AuthenticationOutcome.Success, second.Outcome);
        var login = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        Assert.Equal(("password+totp", ""), (login.Details["method"], login.Details["key"]));
    }

    [Fact]
    public async Task A_right_code_without_a_first_factor_is_not_asked_for_and_not_a_login()
    {
        var (_, secret) = await _rig.AddUserAsync("cody", withPassword: false);

        var (decision, prompter) = await _rig.CodeAsync(AuthenticatorRig.Connection(), "cody", await Totp.CodeAsync(secret, _rig.Step));

        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Equal([AuthenticationMethods.PublicKey, AuthenticationMethods.Password], decision.NextMethods);
        Assert.Empty(prompter.Prompts);
    }

    [Fact]
    public async Task After_the_key_a_password_is_no_second_factor()
    {
        var (key, secret) = await _rig.AddUserAsync("duo", withPassword: true);
        var connection = AuthenticatorRig.Connection();
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, "duo", key)).Outcome);

        var password = await _rig.PasswordAsync(connection, "duo", AuthenticatorRig.Password);
        Assert.Equal(AuthenticationOutcome.Failure, password.Outcome);
        Assert.Equal([AuthenticationMethods.KeyboardInteractive], password.NextMethods);
        var again = await _rig.KeyAsync(connection, "duo", key);
        Assert.Equal(AuthenticationOutcome.Failure, again.Outcome);

        Assert.Equal(AuthenticationOutcome.Success, (await _rig.CodeAsync(connection, "duo", await Totp.CodeAsync(secret, _rig.Step))).Decision.Outcome);
    }

    [Fact]
    public async Task A_wrong_code_is_refused_and_audited_and_the_right_one_still_works_on_that_connection()
    {
        var (key, secret) = await _rig.AddUserAsync("wes", withPassword: false);
        var connection = AuthenticatorRig.Connection();
        await _rig.KeyAsync(connection, "wes", key);

        var (wrong, _) = await _rig.CodeAsync(connection, "wes", await Totp.WrongCodeAsync(secret, _rig.Step));

        Assert.Equal(AuthenticationOutcome.Failure, wrong.Outcome);
        Assert.Equal([AuthenticationMethods.KeyboardInteractive], wrong.NextMethods);
        Assert.Equal(BastionAuthenticator.WrongCodeNotice, wrong.Notice);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.MfaFailure && e.User == "wes");
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        Assert.Equal(AuthenticationOutcome.Success, (await _rig.CodeAsync(connection, "wes", await Totp.CodeAsync(secret, _rig.Step))).Decision.Outcome);
    }

    [Theory]
    [InlineData(-3)]
    [InlineData(2)]
    public async Task A_code_outside_one_step_either_side_is_wrong(int offset)
    {
        var (key, secret) = await _rig.AddUserAsync("oli", withPassword: false);
        Assert.False(await _rig.LoginAsync("oli", key, await Totp.CodeAsync(secret, _rig.Step + offset)));
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.MfaFailure && e.User == "oli");
    }

    [Fact]
    public async Task The_right_code_in_other_digits_or_with_spaces_inside_is_wrong()
    {
        var (key, secret) = await _rig.AddUserAsync("uma", withPassword: false);
        string code = await Totp.CodeAsync(secret, _rig.Step);
        string fullwidth = new(code.Select(c => (char)('\uFF10' + (c - '0'))).ToArray());
        string arabicIndic = new(code.Select(c => (char)('\u0660' + (c - '0'))).ToArray());

        foreach (var variant in new[] { fullwidth, arabicIndic, code[..3] + " " + code[3..], code + "0" })
            Assert.False(await _rig.LoginAsync("uma", key, variant));
        // Surrounding blanks are what a paste adds; the code itself is still the right one.
        Assert.True(await _rig.LoginAsync("uma", key, " " + code + " "));
    }

    [Fact]
    public async Task A_used_code_is_refused_on_another_connection_from_anywhere_and_so_is_an_earlier_one()
    {
        var (key, secret) = await _rig.AddUserAsync("rex", withPassword: true);
        string code = await Totp.CodeAsync(secret, _rig.Step);
        Assert.True(await _rig.LoginAsync("rex", key, code));

        // Another source, the other first factor: still the same code.
        var connection = AuthenticatorRig.Connection("198.51.100.7");
        await _rig.PasswordAsync(connection, "rex", AuthenticatorRig.Password);
        var (replayed, _) = await _rig.CodeAsync(connection, "rex", code);
        Assert.Equal(AuthenticationOutcome.Failure, replayed.Outcome);
        Assert.Equal(BastionAuthenticator.ReplayedCodeNotice, replayed.Notice);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.MfaReplay && e.User == "rex" && e.Source == "198.51.100.7");

        // The previous step's code is still inside the window, but older than the one used: also a replay.
        Assert.False(await _rig.LoginAsync("rex", key, await Totp.CodeAsync(secret, _rig.Step - 1)));
        Assert.True(await _rig.LoginAsync("rex", key, await Totp.CodeAsync(secret, _rig.Step + 1)));
        Assert.Equal(2, (await _rig.AuditEventsAsync()).Count(e => e.Type == AuditTypes.Login));
    }

    [Fact]
    public async Task One_code_typed_on_two_connections_at_once_logs_in_only_one()
    {
        var (key, secret) = await _rig.AddUserAsync("twin", withPassword: false);
        var connections = new[] { AuthenticatorRig.Connection(), AuthenticatorRig.Connection("198.51.100.8") };
        foreach (var connection in connections) await _rig.KeyAsync(connection, "twin", key);
        string code = await Totp.CodeAsync(secret, _rig.Step);

        var answers = await Task.WhenAll(connections.Select(c => Task.Run(() => _rig.CodeAsync(c, "twin", code))));

        Assert.Single(answers, a => a.Decision.Outcome == AuthenticationOutcome.Success);
        Assert.Single(answers, a => a.Decision.Notice == BastionAuthenticator.ReplayedCodeNotice);
    }

    [Fact]
    public async Task A_disabled_user_is_refused_with_her_right_key_password_and_code()
    {
        var (key, secret) = await _rig.AddUserAsync("dora", withPassword: true);
        var stranger = await _rig.KeyAsync(AuthenticatorRig.Connection(), "dora", Ssh.Keys.SshPrivateKey.Generate(Ssh.Keys.SshKeyTypes.Ed25519).PublicKey);
        Assert.True(await _rig.Store.SetUserDisabledAsync("dora", true));

        var byKey = await _rig.KeyAsync(AuthenticatorRig.Connection(), "dora", key);
        var byPassword = await _rig.PasswordAsync(AuthenticatorRig.Connection(), "dora", AuthenticatorRig.Password);

        foreach (var decision in new[] { byKey, byPassword })
        {
            Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
            Assert.Equal(stranger.NextMethods, decision.NextMethods);
            Assert.Null(decision.Notice);
        }
        Assert.False(await _rig.LoginAsync("dora", key, await Totp.CodeAsync(secret, _rig.Step)));
        Assert.Equal(3, (await _rig.AuditEventsAsync()).Count(e => e.Type == AuditTypes.LoginFailure && e.Details["reason"] == "user disabled"));
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
    }

    [Fact]
    public async Task A_user_disabled_while_she_types_the_code_is_refused()
    {
        var (key, secret) = await _rig.AddUserAsync("dale", withPassword: false);
        var connection = AuthenticatorRig.Connection();
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, "dale", key)).Outcome);
        Assert.True(await _rig.Store.SetUserDisabledAsync("dale", true));

        var (decision, _) = await _rig.CodeAsync(connection, "dale", await Totp.CodeAsync(secret, _rig.Step));

        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        // Enabled again, she gets in with the next code: the refusal was the flag, not the code.
        Assert.True(await _rig.Store.SetUserDisabledAsync("dale", false));
        Assert.True(await _rig.LoginAsync("dale", key, await Totp.CodeAsync(secret, _rig.Step + 1)));
    }

    [Fact]
    public async Task An_unknown_user_is_answered_exactly_like_a_wrong_key_or_a_wrong_first_step()
    {
        var (key, _) = await _rig.AddUserAsync("nia", withPassword: true);
        var otherKey = Ssh.Keys.SshPrivateKey.Generate(Ssh.Keys.SshKeyTypes.Ed25519).PublicKey;

        var wrongKey = await _rig.KeyAsync(AuthenticatorRig.Connection(), "nia", otherKey);
        var unknownWithHerKey = await _rig.KeyAsync(AuthenticatorRig.Connection(), "nobody", key);
        var unknownWithOtherKey = await _rig.KeyAsync(AuthenticatorRig.Connection(), "nobody", otherKey);
        var codeFirstKnown = (await _rig.CodeAsync(AuthenticatorRig.Connection(), "nia", "123456")).Decision;
        var codeFirstUnknown = (await _rig.CodeAsync(AuthenticatorRig.Connection(), "nobody", "123456")).Decision;
        var noneKnown = await _rig.Authenticator.AuthenticateAsync(new NoneAttempt("nia"), AuthenticatorRig.Connection(), CancellationToken.None);
        var noneUnknown = await _rig.Authenticator.AuthenticateAsync(new NoneAttempt("nobody"), AuthenticatorRig.Connection(), CancellationToken.None);

        foreach (var decision in new[] { unknownWithHerKey, unknownWithOtherKey, codeFirstKnown, codeFirstUnknown, noneKnown, noneUnknown })
        {
            Assert.Equal(wrongKey.Outcome, decision.Outcome);
            Assert.Equal(wrongKey.NextMethods, decision.NextMethods);
            Assert.Equal(wrongKey.Notice, decision.Notice);
        }
        Assert.Equal(AuthenticationOutcome.Failure, wrongKey.Outcome);
        Assert.Null(wrongKey.Notice);
    }

    [Theory]
    [InlineData("\u0430lice")] // Cyrillic а
    [InlineData("\uFF41lice")] // fullwidth ａ
    [InlineData("Alice")]
    [InlineData("ALICE")]
    [InlineData("alice\u0301")] // a combining accent after the name (NFD of "alicé")
    [InlineData("alic\u00e9")] // NFC é
    [InlineData("alice:w\u0435b01")] // the user right, the target with a Cyrillic е
    [InlineData("alice:\uFF57eb01")] // the target with a fullwidth ｗ
    [InlineData("alice:r\u043eot@web01")] // the login with a Cyrillic о
    public async Task A_look_alike_or_other_case_of_her_name_does_not_log_in_with_her_key(string name)
    {
        var (key, secret) = await _rig.AddUserAsync("alice", withPassword: false);

        var connection = AuthenticatorRig.Connection();
        var first = await _rig.KeyAsync(connection, name, key);

        Assert.Equal(AuthenticationOutcome.Failure, first.Outcome);
        Assert.Null(first.Notice);
        Assert.Equal(AuthenticationOutcome.Failure, (await _rig.CodeAsync(connection, name, await Totp.CodeAsync(secret, _rig.Step))).Decision.Outcome);
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        // The real name works with the same key and code: the refusal was the name.
        Assert.True(await _rig.LoginAsync("alice:web01", key, await Totp.CodeAsync(secret, _rig.Step)));
    }
}
