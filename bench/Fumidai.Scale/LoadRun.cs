using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fumidai.Scale;

/// <summary>The load modes: idle sessions held open, interactive keystrokes, bulk output, and a login storm or burst.</summary>
internal sealed class LoadRun(LoadTarget target, ProcessSampler? bastion, int concurrency, ProcessSampler? targetHost = null)
{
    private readonly ConcurrentQueue<string> _errors = new();
    private int _errorCount;

    /// <summary>Opens <paramref name="count"/> sessions running <paramref name="command"/>, at most <c>concurrency</c> logins at a time.</summary>
    private async Task<List<LoadSession>> OpenManyAsync(int count, string command, CancellationToken cancellationToken)
    {
        var sessions = new ConcurrentBag<LoadSession>();
        var clock = Stopwatch.StartNew();
        int opened = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (_, ct) =>
            {
                try
                {
                    sessions.Add(await LoadSession.OpenAsync(target, command, ct));
                    int n = Interlocked.Increment(ref opened);
                    if (n % 500 == 0) Console.Error.WriteLine($"  {n}/{count} sessions open ({clock.Elapsed.TotalSeconds:F0} s)");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Fail("open", e);
                }
            });
        Console.WriteLine($"opened {sessions.Count}/{count} sessions in {clock.Elapsed.TotalSeconds:F1} s ({Rate(sessions.Count, clock.Elapsed)} per second); " +
                          $"setup {Percentiles.Describe(sessions.Select(s => s.Setup.TotalMilliseconds).ToList())}");
        return [.. sessions];
    }

    public async Task IdleAsync(int count, TimeSpan hold, CancellationToken cancellationToken)
    {
        var sessions = await OpenManyAsync(count, "echo", cancellationToken);
        Report("all open");
        // Settle first: the logins' garbage and thread pool growth are not the idle cost.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        double cpu0 = bastion?.CpuSeconds() ?? 0;
        var clock = Stopwatch.StartNew();
        await Task.Delay(hold, cancellationToken);
        if (bastion is not null)
            Console.WriteLine($"idle: bastion CPU {100 * (bastion.CpuSeconds() - cpu0) / clock.Elapsed.TotalSeconds:F2} % of one core over {hold.TotalSeconds:F0} s " +
                              $"with {sessions.Count} sessions open");
        Report("after the hold");
        await CloseAllAsync(sessions);
    }

    public async Task InteractiveAsync(int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        var sessions = await OpenManyAsync(count, "echo", cancellationToken);
        var rtts = new ConcurrentBag<double>();
        int dropped = 0;
        long keystrokes = 0;
        double cpu0 = bastion?.CpuSeconds() ?? 0;
        var account = new CpuAccount(("bastion", bastion), ("target", targetHost), ("generator", new ProcessSampler(Environment.ProcessId)));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(sessions.Select(async (session, index) =>
        {
            var buffer = new byte[64];
            // Spread the sessions over the 100 ms period, as people typing are.
            await Task.Delay(index * 100 / Math.Max(1, sessions.Count), cancellationToken);
            byte key = (byte)('a' + index % 26);
            var next = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await session.Session.WriteAsync(new[] { key }, cancellationToken);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    wait.CancelAfter(TimeSpan.FromSeconds(10));
                    int read = await session.Session.ReadAsync(buffer, wait.Token);
                    if (read == 0 || buffer[0] != key) { Interlocked.Increment(ref dropped); return; }
                    rtts.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    Interlocked.Increment(ref keystrokes);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref dropped);
                    Fail("keystroke", e);
                    return;
                }
                var wait100 = TimeSpan.FromMilliseconds(100) - next.Elapsed;
                if (wait100 > TimeSpan.Zero) await Task.Delay(wait100, cancellationToken);
                next.Restart();
            }
        }));
        account.Report("interactive", keystrokes, 1000, clock.Elapsed);
        Console.WriteLine($"interactive: {sessions.Count} sessions, one key per 100 ms for {duration.TotalSeconds:F0} s: echo {Percentiles.Describe([.. rtts])}; " +
                          $"{keystrokes / clock.Elapsed.TotalSeconds:F0} keystrokes/s echoed; sessions dropped {dropped}");
        if (bastion is not null)
            Console.WriteLine($"interactive: bastion CPU {100 * (bastion.CpuSeconds() - cpu0) / clock.Elapsed.TotalSeconds:F0} % of one core");
        Report("interactive");
        await CloseAllAsync(sessions);
    }

    public async Task BulkAsync(int count, long bytes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sessions = await OpenManyAsync(count, "write " + bytes, cancellationToken);
        var start = Stopwatch.StartNew();
        long total = 0;
        await Task.WhenAll(sessions.Select(async session =>
        {
            var buffer = new byte[64 * 1024];
            long got = 0;
            int read;
            while ((read = await session.Session.ReadAsync(buffer, cancellationToken)) > 0) got += read;
            Interlocked.Add(ref total, got);
            if (got != bytes) Fail("bulk", new InvalidDataException($"{got} bytes of {bytes}"));
        }));
        Console.WriteLine($"bulk: {sessions.Count} sessions × {bytes / 1e6:F1} MB: {total / 1e6 / start.Elapsed.TotalSeconds:F1} MB/s together " +
                          $"({start.Elapsed.TotalSeconds:F1} s after all were open, {clock.Elapsed.TotalSeconds:F1} s in all)");
        Report("bulk");
        await CloseAllAsync(sessions);
    }

    /// <summary>Logins at a steady <paramref name="perSecond"/> for <paramref name="duration"/>; each runs <c>true</c> and leaves.</summary>
    public async Task StormAsync(double perSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        var setups = new ConcurrentBag<double>();
        var running = new List<Task>();
        var account = new CpuAccount(("bastion", bastion), ("target", targetHost), ("generator", new ProcessSampler(Environment.ProcessId)));
        var clock = Stopwatch.StartNew();
        long launched = 0;
        while (clock.Elapsed < duration)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * perSecond) + 1;
            for (; launched < due; launched++)
                running.Add(LoginOnceAsync(setups, cancellationToken));
            await Task.Delay(10, cancellationToken);
        }
        await Task.WhenAll(running);
        account.Report("storm", setups.Count, 100, clock.Elapsed);
        Console.WriteLine($"storm: {launched} logins asked at {perSecond}/s over {duration.TotalSeconds:F0} s: {setups.Count} done " +
                          $"({Rate(setups.Count, clock.Elapsed)} per second), setup {Percentiles.Describe([.. setups])}");
        Report("storm");
    }

    /// <summary><paramref name="count"/> logins started at the same moment.</summary>
    public async Task BurstAsync(int count, CancellationToken cancellationToken)
    {
        var setups = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => LoginOnceAsync(setups, cancellationToken)));
        Console.WriteLine($"burst: {setups.Count}/{count} logins done in {clock.Elapsed.TotalSeconds:F1} s, setup {Percentiles.Describe([.. setups])}");
        Report("burst");
    }

    private async Task LoginOnceAsync(ConcurrentBag<double> setups, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = await LoadSession.OpenAsync(target, "true", cancellationToken);
            setups.Add(session.Setup.TotalMilliseconds);
            await session.Session.Exit.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Fail("login", e);
        }
    }

    private static async Task CloseAllAsync(List<LoadSession> sessions)
    {
        foreach (var chunk in sessions.Chunk(200))
            await Task.WhenAll(chunk.Select(s => s.DisposeAsync().AsTask()));
    }

    private void Fail(string what, Exception e)
    {
        // Keep a sample of each kind, count them all.
        if (Interlocked.Increment(ref _errorCount) <= 20) _errors.Enqueue($"{what}: {e.GetType().Name}: {e.Message}");
    }

    private void Report(string when)
    {
        if (bastion is not null)
            Console.WriteLine($"  [{when}] bastion RSS {bastion.RssBytes() / 1048576.0:F0} MiB, open files {bastion.OpenFiles()}, CPU so far {bastion.CpuSeconds():F1} s");
        Console.WriteLine($"  [{when}] errors: {_errorCount}");
        while (_errors.TryDequeue(out var error)) Console.WriteLine("    " + error);
    }

    private static string Rate(int count, TimeSpan elapsed) => (count / Math.Max(elapsed.TotalSeconds, 0.001)).ToString("F1");

    public int Errors => _errorCount;
}
