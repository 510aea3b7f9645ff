using System.Globalization;

namespace Fumidai.Scale;

/// <summary>CPU seconds of the bastion, the target and the generator over a window, per unit of work, with the machine's load.</summary>
/// <remarks>On a machine shared with other work, wall-clock latency depends on the others; CPU seconds per unit mostly do not.</remarks>
internal sealed class CpuAccount
{
    private readonly (string Name, ProcessSampler Sampler)[] _processes;
    private readonly double[] _start;
    private readonly (long Busy, long Total) _machineStart;
    private readonly string _loadStart;

    public CpuAccount(params (string Name, ProcessSampler? Sampler)[] processes)
    {
        _processes = [.. processes.Where(p => p.Sampler is not null).Select(p => (p.Name, p.Sampler!))];
        _start = [.. _processes.Select(p => p.Sampler.CpuSeconds())];
        _machineStart = MachineTicks();
        _loadStart = LoadAverage();
    }

    /// <summary>Prints each process's CPU seconds per <paramref name="per"/> units, its share of one core, and the machine's busy share.</summary>
    public void Report(string label, long units, int per, TimeSpan elapsed)
    {
        var machine = MachineTicks();
        double busy = (machine.Busy - _machineStart.Busy) / (double)Math.Max(1, machine.Total - _machineStart.Total);
        double sum = 0;
        var parts = new List<string>();
        for (int i = 0; i < _processes.Length; i++)
        {
            double cpu = _processes[i].Sampler.CpuSeconds() - _start[i];
            sum += cpu;
            parts.Add($"{_processes[i].Name} {cpu * per / Math.Max(1, units):F3} s ({100 * cpu / elapsed.TotalSeconds:F0} % of a core)");
        }
        Console.WriteLine($"{label}: CPU per {per:N0} over {units:N0}: " + string.Join(", ", parts) +
                          $"; together {sum * per / Math.Max(1, units):F3} s ({100 * sum / elapsed.TotalSeconds:F0} % of a core)");
        Console.WriteLine($"{label}: machine busy {100 * busy:F0} % of {Environment.ProcessorCount} cores; load average {_loadStart} at the start, {LoadAverage()} at the end");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static (long Busy, long Total) MachineTicks()
    {
        // First line of /proc/stat: user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        long total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}
