using System.Diagnostics;
using System.Globalization;

namespace Fumidai.Testing;

/// <summary>The kernel's timers on established TCP connections, as <c>ss</c> (iproute2) prints them.</summary>
public static class SocketTimers
{
    /// <summary>One connection's timer: its name (<c>keepalive</c>, <c>on</c>, …) and seconds to expiry; empty name when none runs.</summary>
    public sealed record Timer(string Name, double Seconds);

    /// <summary>The timers of every established connection whose remote port is <paramref name="remotePort"/>.</summary>
    public static async Task<IReadOnlyList<Timer>> ToRemotePortAsync(int remotePort)
    {
        var start = new ProcessStartInfo("ss", ["-tnoH", "state", "established", "dport", "=", $":{remotePort}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string output = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"ss exited {process.ExitCode}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
    }

    // "timer:(keepalive,29sec,0)" or "timer:(keepalive,1min59sec,0)"; no field when no timer runs.
    private static Timer Parse(string line)
    {
        int at = line.IndexOf("timer:(", StringComparison.Ordinal);
        if (at < 0) return new Timer("", 0);
        string[] fields = line[(at + 7)..line.IndexOf(')', at)].Split(',');
        return new Timer(fields[0], Seconds(fields[1]));
    }

    private static double Seconds(string text)
    {
        double total = 0;
        int minutes = text.IndexOf("min", StringComparison.Ordinal);
        if (minutes >= 0)
        {
            total += 60 * double.Parse(text[..minutes], CultureInfo.InvariantCulture);
            text = text[(minutes + 3)..];
        }
        int seconds = text.IndexOf("sec", StringComparison.Ordinal);
        if (seconds > 0) total += double.Parse(text[..seconds], CultureInfo.InvariantCulture);
        else if (text.EndsWith("ms", StringComparison.Ordinal)) total += double.Parse(text[..^2], CultureInfo.InvariantCulture) / 1000;
        return total;
    }
}
