using System.Globalization;

namespace Fumidai.Scale;

/// <summary>The bastion process's resident memory and CPU time, read from /proc (Linux only).</summary>
internal sealed class ProcessSampler(int pid)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>User plus system CPU seconds so far.</summary>
    public double CpuSeconds()
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may hold spaces; the fields that follow its closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public int OpenFiles() => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
