using System.Net;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Server;

namespace Fumidai.Web.Auth;

/// <summary>
/// Wrong approval codes counted per address (an IPv6 /64 as one) and per signed-in user, so neither many users at one
/// address nor one user from many addresses can grind through codes: ten in five minutes, then a pause.
/// </summary>
public sealed class ApprovalThrottle(int limit = 10, TimeSpan? window = null)
{
    private readonly SourceThrottle _throttle = new(limit, window ?? TimeSpan.FromMinutes(5));

    public bool IsThrottled(IPAddress? address, string user, DateTimeOffset now) =>
        _throttle.IsThrottled(Source(address), now) || _throttle.IsThrottled(UserKey(user), now);

    public void RecordFailure(IPAddress? address, string user, DateTimeOffset now)
    {
        _throttle.RecordFailure(Source(address), now);
        _throttle.RecordFailure(UserKey(user), now);
    }

    private static string Source(IPAddress? address) => address is null ? "unknown" : SourceKey.Of(address);

    // Addresses never contain "user:", so the two kinds of key cannot meet.
    private static string UserKey(string user) => "user:" + user;
}
