using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fumidai.Testing;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>
/// A recording of a given size made through OpenSSH and the bastion, then in chromium: time to the first frame, time to seek to
/// 90 %, and the server's RSS growth per viewer with several viewers seeking at once.
/// </summary>
internal static class PlayerRun
{
    private const string TermText = "(document.querySelector('#player .ap-term') || { innerText: '' }).innerText";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(BenchBastion bench, int mib, int runs, int viewers)
    {
        var (id, recorded) = await RecordAsync(bench, mib);
        Console.WriteLine(recorded);
        string cache = Path.Combine(bench.Harness.DataPath, "cache", "keyframes", id);
        Console.WriteLine($"keyframes on disk when the row closed: {(Directory.Exists(cache) ? "yes" : "NO")}");

        // The server's own first requests (JIT, page assets) are not the recording's: warm up on a page that has no player.
        var warm = await bench.Context.NewPageAsync();
        await warm.GotoAsync("/sessions");
        await warm.CloseAsync();
        double firstOutput = await FirstOutputAsync(bench, id);
        Console.WriteLine(string.Create(Invariant, $"first output at {firstOutput:F2} s into the recording"));
        for (int run = 1; run <= runs; run++)
        {
            var (first, seek) = await OpenAndSeekAsync(bench, id, firstOutput);
            Console.WriteLine(string.Create(Invariant, $"run {run}: first frame {first:F0} ms; seek to 90 % {seek:F0} ms"));
        }
        double perViewer = await MemoryPerViewerAsync(bench, id, firstOutput, viewers);
        Console.WriteLine(string.Create(Invariant, $"server RSS growth per viewer ({viewers} viewers opening and seeking at once): {perViewer:F1} MiB"));

        // The fallback for a recording without keyframes (made before this node kept them, or a crash): the first view builds them.
        Directory.Delete(cache, recursive: true);
        var (cold, coldSeek) = await OpenAndSeekAsync(bench, id, firstOutput);
        Console.WriteLine(string.Create(Invariant, $"without keyframes (first view builds them): first frame {cold:F0} ms; then seek to 90 % {coldSeek:F0} ms"));
    }

    /// <summary>
    /// Opens the player page and shows the recording's first output, then seeks to 90 % until the screen changes; both in ms,
    /// from navigation and from the seek call.
    /// </summary>
    private static async Task<(double First, double Seek)> OpenAndSeekAsync(BenchBastion bench, string id, double firstOutput)
    {
        var page = await bench.Context.NewPageAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            await OpenAtAsync(page, id, firstOutput, 5);
            double first = clock.Elapsed.TotalMilliseconds;
            string before = await page.EvaluateAsync<string>($"() => {TermText}");
            clock.Restart();
            await page.EvaluateAsync("() => window.fumidaiPlayer.seek('90%')");
            await page.WaitForFunctionAsync($"(before) => ({TermText}) !== before && ({TermText}).trim() !== ''", before,
                new() { Timeout = 120_000, PollingInterval = 5 });
            return (first, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    /// <summary>The session page, its player created, then a seek to the first output (as a command link does) until the terminal shows it.</summary>
    private static async Task OpenAtAsync(IPage page, string id, double firstOutput, int polling)
    {
        await page.GotoAsync($"/sessions/{id}", new PageGotoOptions { Timeout = 120_000 });
        await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined", null, new() { Timeout = 120_000, PollingInterval = polling });
        await page.EvaluateAsync(string.Create(Invariant, $"() => window.fumidaiPlayer.seek({firstOutput:0.000})"));
        await page.WaitForFunctionAsync($"() => ({TermText}).includes('user@web01')", null, new() { Timeout = 120_000, PollingInterval = polling });
    }

    /// <summary>When the recording's first output was printed (seconds), from the first windows that hold any.</summary>
    /// <remarks>A slow dial can leave the first chunks (sealed by age) with markers only.</remarks>
    private static async Task<double> FirstOutputAsync(BenchBastion bench, string id)
    {
        for (int window = 0; window < 20; window++)
        {
            var response = await bench.Context.APIRequest.GetAsync($"/sessions/{id}/segments/{window}");
            if (response.Status != 200) break;
            using var json = JsonDocument.Parse(await response.TextAsync());
            foreach (var e in json.RootElement.GetProperty("events").EnumerateArray())
                if (e[1].GetString() == "o" && e[2].GetString()!.Contains("user@web01", StringComparison.Ordinal)) return e[0].GetDouble() + 0.001;
        }
        throw new InvalidOperationException("the first windows show no output");
    }

    /// <summary>Peak RSS of the server above its idle level while <paramref name="viewers"/> pages open the player and seek at once, per viewer, MiB.</summary>
    private static async Task<double> MemoryPerViewerAsync(BenchBastion bench, string id, double firstOutput, int viewers)
    {
        await Task.Delay(2000);
        long baseline = bench.ServerRss();
        long peak = baseline;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, bench.ServerRss());
                await Task.Delay(20);
            }
        });
        var pages = new List<IPage>();
        try
        {
            for (int v = 0; v < viewers; v++) pages.Add(await bench.Context.NewPageAsync());
            await Task.WhenAll(pages.Select(async (page, v) =>
            {
                // As a viewer does: open at the start, then seek to a place of its own.
                await OpenAtAsync(page, id, firstOutput, 20);
                string before = await page.EvaluateAsync<string>($"() => {TermText}");
                await page.EvaluateAsync($"() => window.fumidaiPlayer.seek('{20 + v * 70 / viewers}%')");
                await page.WaitForFunctionAsync($"(before) => ({TermText}) !== before", before, new() { Timeout = 120_000, PollingInterval = 20 });
            }));
        }
        finally
        {
            await done.CancelAsync();
            await sampler;
            foreach (var page in pages) await page.CloseAsync();
        }
        return (peak - baseline) / 1048576.0 / viewers;
    }

    /// <summary>An exec through the bastion printing <paramref name="mib"/> MiB of C headers with a coloured prompt line per file (CR LF line ends, as a pty shows them).</summary>
    private static async Task<(string Id, string Summary)> RecordAsync(BenchBastion bench, int mib)
    {
        string payload = bench.Harness.Directory.Combine("payload.txt");
        File.WriteAllBytes(payload, Payload(32L << 20));
        long size = (long)mib << 20;
        long repeats = (size + (32L << 20) - 1) / (32L << 20);
        string command = $"i=0; while [ $i -lt {repeats} ]; do cat {payload}; i=$((i+1)); done | head -c {size}";
        var (op, code) = await bench.NewOperatorAsync();
        var args = new List<string> { "-c", "exec ssh \"$@\" > /dev/null", "ssh" };
        args.AddRange(bench.Harness.ClientOptions($"{op.Name}:web01", op.KeyFile));
        args.AddRange(["127.0.0.1", command]);
        var clock = Stopwatch.StartNew();
        var run = await ProcessRunner.RunAsync("sh", args, TimeSpan.FromMinutes(60), null, environment: bench.Harness.Askpass(code, null).Environment);
        if (run.ExitCode != 0) throw new InvalidOperationException("ssh failed: " + run.StandardError);
        double relayed = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var session = await bench.Harness.WaitForSessionAsync(op.Name, s => s.GetProperty("status").GetString() != "running", "ended", TimeSpan.FromMinutes(30));
        double closing = clock.Elapsed.TotalSeconds;
        string id = session.GetProperty("id").GetString()!;
        return (id, string.Create(Invariant,
            $"recorded {mib} MiB through OpenSSH in {relayed:F1} s ({mib / relayed:F0} MiB/s); the row closed {closing:F1} s after the client exited (session {id})"));
    }

    private static byte[] Payload(long max)
    {
        var text = new StringBuilder();
        int n = 0;
        foreach (string file in Directory.EnumerateFiles("/usr/include", "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (text.Length > max) break;
            text.Append(Invariant, $"\u001b[1;32muser@web01\u001b[0m:\u001b[34m~\u001b[0m$ cat {file} # {n++}\n").Append(File.ReadAllText(file));
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString().Replace("\n", "\r\n", StringComparison.Ordinal));
        return bytes[..(int)Math.Min(max, bytes.Length)];
    }
}
