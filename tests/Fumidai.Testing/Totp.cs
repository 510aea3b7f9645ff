using System.Globalization;

namespace Fumidai.Testing;

/// <summary>TOTP codes from Debian's <c>oathtool</c> (an independent implementation), never from our own code.</summary>
public static class Totp
{
    public const int PeriodSeconds = 30;

    /// <summary>The RFC 6238 time step now. Tests take it once at their start and use it, then the next step, for two logins.</summary>
    public static long CurrentStep() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / PeriodSeconds;

    /// <summary>Waits (at most one period) until <paramref name="step"/> has begun, for tests that need a third fresh code.</summary>
    public static async Task WaitForStepAsync(long step)
    {
        for (int i = 0; i < PeriodSeconds + 2 && CurrentStep() < step; i++) await Task.Delay(TimeSpan.FromSeconds(1));
        if (CurrentStep() < step) throw new TimeoutException($"TOTP step {step} did not begin");
    }

    /// <summary><c>oathtool --totp -b SECRET --now "YYYY-MM-DD HH:MM:SS UTC"</c> at the start of <paramref name="step"/>.</summary>
    public static async Task<string> CodeAsync(string base32Secret, long step)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime;
        string now = at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        var result = await ProcessRunner.RunAsync("oathtool", ["--totp", "-b", base32Secret, "--now", now], TimeSpan.FromSeconds(30));
        string code = result.Output.Trim();
        if (result.ExitCode != 0 || code.Length != 6 || !code.All(char.IsAsciiDigit))
            throw new InvalidOperationException($"oathtool failed ({result.ExitCode}): {code} {result.StandardError}");
        return code;
    }

    /// <summary>A six-digit code that is none of the codes valid around <paramref name="step"/> (so it is surely wrong).</summary>
    public static async Task<string> WrongCodeAsync(string base32Secret, long step)
    {
        var valid = new HashSet<string>();
        for (long s = step - 2; s <= step + 3; s++) valid.Add(await CodeAsync(base32Secret, s));
        // At most six codes are excluded, so one of the first seven candidates is free.
        for (int candidate = 0; candidate <= valid.Count; candidate++)
        {
            string code = candidate.ToString("D6", CultureInfo.InvariantCulture);
            if (!valid.Contains(code)) return code;
        }
        throw new InvalidOperationException("no wrong code found");
    }
}
