using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Tests.EndToEnd;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>A source with too many failures in a sliding window is refused whatever it presents; other sources are not.</summary>
public sealed class SourceThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_limit_th_failure_in_the_window_throttles_the_source()
    {
        var throttle = new SourceThrottle(3, TimeSpan.FromMinutes(5));
        Assert.False(throttle.IsThrottled("192.0.2.1", T0));
        throttle.RecordFailure("192.0.2.1", T0);
        throttle.RecordFailure("192.0.2.1", T0.AddSeconds(1));
        Assert.False(throttle.IsThrottled("192.0.2.1", T0.AddSeconds(2)));
        throttle.RecordFailure("192.0.2.1", T0.AddSeconds(2));
        Assert.True(throttle.IsThrottled("192.0.2.1", T0.AddSeconds(2)));
    }

    [Fact]
    public void Sources_are_counted_apart()
    {
        var throttle = new SourceThrottle(2, TimeSpan.FromMinutes(5));
        throttle.RecordFailure("192.0.2.1", T0);
        throttle.RecordFailure("192.0.2.1", T0);
        Assert.True(throttle.IsThrottled("192.0.2.1", T0));
        Assert.False(throttle.IsThrottled("192.0.2.2", T0));
        Assert.False(throttle.IsThrottled("2001:db8::/64", T0));
    }

    [Fact]
    public void Failures_older_than_the_window_stop_counting_one_by_one()
    {
        var throttle = new SourceThrottle(2, TimeSpan.FromMinutes(5));
        throttle.RecordFailure("192.0.2.1", T0);
        throttle.RecordFailure("192.0.2.1", T0.AddMinutes(1));
        // Exactly the window after the first failure it still counts; just after, only the second does.
        Assert.True(throttle.IsThrottled("192.0.2.1", T0.AddMinutes(5)));
        Assert.False(throttle.IsThrottled("192.0.2.1", T0.AddMinutes(5).AddTicks(1)));
        throttle.RecordFailure("192.0.2.1", T0.AddMinutes(5).AddTicks(1));
        Assert.True(throttle.IsThrottled("192.0.2.1", T0.AddMinutes(6)));
        Assert.False(throttle.IsThrottled("192.0.2.1", T0.AddMinutes(11)));
    }

    [Fact]
    public void A_spray_from_many_sources_does_not_throttle_a_quiet_one()
    {
        var throttle = new SourceThrottle(2, TimeSpan.FromMinutes(5));
        for (int i = 0; i < 1000; i++) throttle.RecordFailure("10.1." + (i / 250) + "." + (i % 250), T0);
        Assert.False(throttle.IsThrottled("10.2.0.1", T0));
        Assert.False(throttle.IsThrottled("10.1.0.1", T0));
    }

    [Fact]
    public async Task A_throttled_source_is_refused_even_her_right_key_and_code_and_others_are_not()
    {
        await using var rig = await AuthenticatorRig.CreateAsync(new SourceThrottle(3, TimeSpan.FromMinutes(5)));
        var (key, secret) = await rig.AddUserAsync("tia", withPassword: false);
        var stranger = Ssh.Keys.SshPrivateKey.Generate(Ssh.Keys.SshKeyTypes.Ed25519).PublicKey;
        // Wrong keys for made-up users: no lockout counts them, the throttle does.
        for (int i = 0; i < 3; i++) await rig.KeyAsync(AuthenticatorRig.Connection("192.0.2.50"), "guess" + i, stranger);

        var refused = await rig.KeyAsync(AuthenticatorRig.Connection("192.0.2.50"), "tia", key);
        Assert.Equal(AuthenticationOutcome.Failure, refused.Outcome);
        Assert.Null(refused.Notice);
        Assert.Contains(await rig.AuditEventsAsync(), e => e.Type == AuditTypes.LoginFailure && e.User == "tia" && e.Details["reason"] == "source throttled");
        Assert.Null(await rig.Store.GetLockedUntilAsync("tia", rig.Clock.GetUtcNow()));
        Assert.True(await rig.LoginAsync("tia", key, await Totp.CodeAsync(secret, rig.Step), "192.0.2.51"));

        // The window slides on the authenticator's clock: five minutes later the source may try again.
        rig.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.True(await rig.LoginAsync("tia", key, await Totp.CodeAsync(secret, rig.Step), "192.0.2.50"));
    }
}
