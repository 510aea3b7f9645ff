using System.Diagnostics;

namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>Feeds mutated seeds to targets and collects findings: undocumented exceptions and inputs that take too long.</summary>
public sealed class FuzzRunner
{
    /// <summary>A single decode of a few hundred bytes takes microseconds; a second means a loop that does not end.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(1);

    private readonly Mutator _mutator;
    private readonly Random _random;

    public FuzzRunner(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
        _mutator = new Mutator(_random);
    }

    public int Seed { get; }

    public long Executed { get; private set; }

    public List<FuzzFinding> Findings { get; } = [];

    /// <summary>True once an input overran the hang limit: its thread may still be spinning, so the run stops.</summary>
    public bool Hung { get; private set; }

    /// <summary>Runs <paramref name="count"/> inputs against one target (seeds themselves first, unmutated).</summary>
    public void Run(FuzzTarget target, int count)
    {
        for (int i = 0; i < count && !Hung; i++)
        {
            var input = i < target.Seeds.Count
                ? target.Seeds[i]
                : _mutator.Mutate(target.Seeds[_random.Next(target.Seeds.Count)], target.Seeds);
            RunOne(target, input);
        }
    }

    /// <summary>Runs targets in turn until <paramref name="duration"/> has passed (long mode).</summary>
    public void RunFor(IReadOnlyList<FuzzTarget> targets, TimeSpan duration, int batch = 500)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && !Hung)
        {
            foreach (var target in targets)
            {
                Run(target, batch);
                if (clock.Elapsed >= duration || Hung) break;
            }
        }
    }

    private void RunOne(FuzzTarget target, byte[] input)
    {
        Executed++;
        var (elapsed, error, hung) = Execute(target, input);
        if (hung)
        {
            Findings.Add(new FuzzFinding(target.Name, "hang", $"still running after {elapsed}", input));
            Hung = true;
            return;
        }
        if (error is not null && !target.IsExpected(error))
        {
            var frame = error.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "";
            Findings.Add(new FuzzFinding(target.Name, error.GetType().Name, $"{frame}\n{error.Message}", input));
            return;
        }
        if (elapsed > HangLimit)
        {
            // On a shared machine a thread can be descheduled for a second; only slowness that repeats is the input's.
            var again = Execute(target, input).Elapsed;
            if (again > HangLimit)
                Findings.Add(new FuzzFinding(target.Name, "slow", $"took {elapsed.TotalMilliseconds:F0} ms, then {again.TotalMilliseconds:F0} ms", input));
        }
    }

    private static (TimeSpan Elapsed, Exception? Error, bool Hung) Execute(FuzzTarget target, byte[] input)
    {
        long started = 0;
        // A separate task so that a decoder stuck in a loop is detected instead of hanging the test run.
        var task = Task.Run(async () =>
        {
            Volatile.Write(ref started, Stopwatch.GetTimestamp());
            await target.Run(input);
        });
        while (!WaitQuietly(task, TimeSpan.FromMilliseconds(200)))
        {
            long s = Volatile.Read(ref started);
            // Measured from the task's start, so time spent queued behind other tests does not count.
            if (s != 0 && Stopwatch.GetElapsedTime(s) > HangLimit * 5) return (Stopwatch.GetElapsedTime(s), null, true);
        }
        return (Stopwatch.GetElapsedTime(Volatile.Read(ref started)), task.Exception?.InnerException, false);
    }

    /// <summary>Waits without throwing the task's exception; true once it has finished.</summary>
    private static bool WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            return task.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    /// <summary>One line per distinct bug, with how often it was hit, then the first input of each in full.</summary>
    public string Summary()
    {
        var groups = Findings.GroupBy(f => f.Signature).ToList();
        var lines = new List<string> { $"seed {Seed}: {Executed} inputs, {Findings.Count} findings in {groups.Count} groups" };
        lines.AddRange(groups.Select(g => $"  {g.Count()}x {g.Key}"));
        lines.AddRange(groups.Select(g => g.First().ToString()));
        return string.Join('\n', lines);
    }
}
