using OtpNet;

namespace Fumidai.Scale;

/// <summary>
/// TOTP codes for the load's users, computed from their enrolment secrets: each user's code for one step works once
/// (the bastion refuses a replay), so every login takes the user's next unused step among the current one and the next
/// (both accepted), and waits for a later step when both are spent. The previous step, also accepted, is never used: a
/// login that crosses a step boundary before the bastion checks the code would find it expired.
/// </summary>
internal sealed class CodeSource
{
    private readonly Dictionary<string, (Totp Totp, long LastStep)> _users = [];

    public CodeSource(IEnumerable<LoadUser> users)
    {
        foreach (var user in users)
            _users[user.Name] = (new Totp(Base32Encoding.ToBytes(user.Secret), step: 30, totpSize: 6), long.MinValue);
    }

    /// <summary>A code for <paramref name="user"/> that has not been used yet, or null when she must wait for the next step.</summary>
    public string? Next(string user)
    {
        lock (_users)
        {
            var (totp, last) = _users[user];
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            long step = Math.Max(last + 1, now);
            if (step > now + 1) return null;
            _users[user] = (totp, step);
            return totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
        }
    }
}

/// <summary>One user of the load: her bastion name and base32 TOTP secret.</summary>
internal sealed record LoadUser(string Name, string Secret);
