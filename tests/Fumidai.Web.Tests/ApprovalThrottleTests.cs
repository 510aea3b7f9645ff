using System.Net;
using Fumidai.Web.Auth;

namespace Fumidai.Web.Tests;

/// <summary>Guessing approval codes: ten wrong ones per address or per user in five minutes, then nothing more is looked up.</summary>
public sealed class ApprovalThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ten_wrong_codes_stop_that_user_from_anywhere_and_that_address_for_anyone_until_the_window_passes()
    {
        var throttle = new ApprovalThrottle();
        var home = IPAddress.Parse("192.0.2.7");
        for (int i = 0; i < 9; i++) throttle.RecordFailure(home, "mallory", T0.AddSeconds(i));
        Assert.False(throttle.IsThrottled(home, "mallory", T0.AddSeconds(10)));
        throttle.RecordFailure(home, "mallory", T0.AddSeconds(10));

        Assert.True(throttle.IsThrottled(home, "mallory", T0.AddSeconds(11)));
        Assert.True(throttle.IsThrottled(IPAddress.Parse("198.51.100.9"), "mallory", T0.AddSeconds(11)));
        Assert.True(throttle.IsThrottled(home, "ann", T0.AddSeconds(11)));
        Assert.False(throttle.IsThrottled(IPAddress.Parse("198.51.100.9"), "ann", T0.AddSeconds(11)));
        Assert.False(throttle.IsThrottled(home, "mallory", T0.AddMinutes(5).AddSeconds(11)));
    }

    [Fact]
    public void Addresses_of_one_ipv6_64_count_together()
    {
        var throttle = new ApprovalThrottle();
        for (int i = 0; i < 10; i++) throttle.RecordFailure(IPAddress.Parse($"2001:db8:1:2::{i + 1:x}"), $"user{i}", T0);
        Assert.True(throttle.IsThrottled(IPAddress.Parse("2001:db8:1:2::ffff"), "ann", T0));
        Assert.False(throttle.IsThrottled(IPAddress.Parse("2001:db8:1:3::1"), "ann", T0));
    }
}
