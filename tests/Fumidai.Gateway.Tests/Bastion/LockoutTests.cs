using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Tests.EndToEnd;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>Ten consecutive failures lock a user from one source for thirty minutes, on the fake clock; then she gets in again.</summary>
public sealed class LockoutTests : IAsyncLifetime
{
    private const string Attacker = "203.0.113.9";
    private AuthenticatorRig _rig = null!;

    public async Task InitializeAsync() => _rig = await AuthenticatorRig.CreateAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    /// <summary>Key accepted, then a wrong code, on a new connection each time.</summary>
    private async Task<AuthenticationDecision> WrongCodeAsync(string user, Ssh.Keys.SshPublicKey key, string wrong, string source)
    {
        var connection = AuthenticatorRig.Connection(source);
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, user, key)).Outcome);
        return (await _rig.CodeAsync(connection, user, wrong)).Decision;
    }

    [Fact]
    public async Task Ten_failures_lock_her_for_thirty_minutes_and_then_she_gets_in_with_no_reset()
    {
        var (key, secret) = await _rig.AddUserAsync("liv", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, _rig.Step);
        for (int i = 0; i < 9; i++) Assert.DoesNotContain("locked", (await WrongCodeAsync("liv", key, wrong, Attacker)).Notice);
        var lockedAt = _rig.Clock.GetUtcNow();
        var tenth = await WrongCodeAsync("liv", key, wrong, Attacker);
        Assert.Contains("locked", tenth.Notice);

        var lockout = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Lockout);
        Assert.Equal(("liv", "10", "30m"), (lockout.User, lockout.Details["failures"], lockout.Details["duration"]));
        Assert.Equal(lockedAt + TimeSpan.FromMinutes(30), await _rig.Store.GetLockedUntilAsync("liv", _rig.Clock.GetUtcNow()));

        // A second before the end: her key is answered with the lock, and the code is never asked for.
        _rig.Clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        var connection = AuthenticatorRig.Connection(Attacker);
        var byKey = await _rig.KeyAsync(connection, "liv", key);
        Assert.Equal(AuthenticationOutcome.Failure, byKey.Outcome);
        Assert.Equal(BastionAuthenticator.LockedNotice(lockedAt + TimeSpan.FromMinutes(30)), byKey.Notice);
        Assert.False(await _rig.LoginAsync("liv", key, await Totp.CodeAsync(secret, _rig.Step), Attacker));

        // Two seconds later the lock has run out by itself: no unlock, no failure first.
        _rig.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await _rig.Store.GetLockedUntilAsync("liv", _rig.Clock.GetUtcNow()));
        Assert.True(await _rig.LoginAsync("liv", key, await Totp.CodeAsync(secret, _rig.Step), Attacker));
    }

    [Fact]
    public async Task A_lock_set_between_her_key_and_her_first_code_refuses_the_right_code()
    {
        var (key, secret) = await _rig.AddUserAsync("ned", withPassword: false);
        var connection = AuthenticatorRig.Connection(Attacker);
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.KeyAsync(connection, "ned", key)).Outcome);
        // Another node counts ten failures from this source while she types: the first code is asked without a read before
        // it, so the read that comes with the code's step must refuse it.
        for (int i = 0; i < 10; i++)
            await _rig.Store.RecordFailureAsync("ned", MetadataSource(Attacker), 10, TimeSpan.FromMinutes(30), _rig.Clock.GetUtcNow());
        var (decision, _) = await _rig.CodeAsync(connection, "ned", await Totp.CodeAsync(secret, _rig.Step));
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Contains("locked", decision.Notice);
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login && e.User == "ned");
        Assert.NotNull(await _rig.Store.GetLockedUntilAsync("ned", MetadataSource(Attacker), _rig.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task Failures_must_be_consecutive_a_success_starts_the_count_again()
    {
        var (key, secret) = await _rig.AddUserAsync("cat", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, _rig.Step);
        for (int i = 0; i < 9; i++) await WrongCodeAsync("cat", key, wrong, Attacker);
        Assert.True(await _rig.LoginAsync("cat", key, await Totp.CodeAsync(secret, _rig.Step), Attacker));

        for (int i = 0; i < 9; i++) await WrongCodeAsync("cat", key, wrong, Attacker);
        Assert.Null(await _rig.Store.GetLockedUntilAsync("cat", _rig.Clock.GetUtcNow()));
        Assert.Contains("locked", (await WrongCodeAsync("cat", key, wrong, Attacker)).Notice);
    }

    [Fact]
    public async Task A_lock_holds_for_one_user_and_one_source_only()
    {
        var (key, secret) = await _rig.AddUserAsync("max", withPassword: false);
        var (otherKey, otherSecret) = await _rig.AddUserAsync("mia", withPassword: false);
        string wrong = await Totp.WrongCodeAsync(secret, _rig.Step);
        for (int i = 0; i < 10; i++) await WrongCodeAsync("max", key, wrong, Attacker);
        Assert.False(await _rig.LoginAsync("max", key, await Totp.CodeAsync(secret, _rig.Step), Attacker));

        // Another user from the locked source, and the locked user from another source, both get in.
        Assert.True(await _rig.LoginAsync("mia", otherKey, await Totp.CodeAsync(otherSecret, _rig.Step), Attacker));
        Assert.True(await _rig.LoginAsync("max", key, await Totp.CodeAsync(secret, _rig.Step), "198.51.100.20"));
        // Her success elsewhere does not lift the lock where the guesses came from.
        Assert.NotNull(await _rig.Store.GetLockedUntilAsync("max", MetadataSource(Attacker), _rig.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task Ten_wrong_passwords_lock_a_password_user_and_her_right_password_then_reads_like_a_wrong_one()
    {
        var (_, secret) = await _rig.AddUserAsync("pam", withPassword: true);
        AuthenticationDecision? last = null;
        for (int i = 0; i < 10; i++) last = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "pam", "wrong guess " + i);
        Assert.Null(last!.Notice);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Lockout && e.User == "pam");

        // A notice here would tell a guesser that the password is right; a wrong one reads like an unknown user's elsewhere.
        var right = await _rig.PasswordAsync(AuthenticatorRig.Connection(Attacker), "pam", AuthenticatorRig.Password);
        Assert.Equal(AuthenticationOutcome.Failure, right.Outcome);
        Assert.Equal(last.NextMethods, right.NextMethods);
        Assert.Null(right.Notice);

        var elsewhere = AuthenticatorRig.Connection("198.51.100.30");
        Assert.Equal(AuthenticationOutcome.PartialSuccess, (await _rig.PasswordAsync(elsewhere, "pam", AuthenticatorRig.Password)).Outcome);
        Assert.Equal(AuthenticationOutcome.Success, (await _rig.CodeAsync(elsewhere, "pam", await Totp.CodeAsync(secret, _rig.Step))).Decision.Outcome);
    }

    private static string MetadataSource(string address) => Ssh.Server.SourceKey.Of(System.Net.IPAddress.Parse(address));
}
