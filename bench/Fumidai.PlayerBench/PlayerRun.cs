using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fumidai.Testing;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>
/// A recording of a given size made through OpenSSH and the bastion, then in chromium: time to the first frame, to seek to
/// 90 %, 10 % and 50 %, and the server's RSS growth per viewer with several viewers seeking at once.
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
        var api = bench.Context.APIRequest;
        double duration = await DurationAsync(api, id);
        var first = await ScreenProbe.AtAsync(api, id, await FirstOutputAsync(bench, id));
        var seeks = new (string Name, ScreenProbe Probe)[]
        {
            ("90 %", await ScreenProbe.AtAsync(api, id, duration * 0.9)),
            ("10 %", await ScreenProbe.AtAsync(api, id, duration * 0.1)),
            ("50 %", await ScreenProbe.AtAsync(api, id, duration * 0.5)),
        };
        Console.WriteLine(string.Create(Invariant, $"duration {duration:F1} s; first frame at the first output, {first.Time:F3} s ('{first.Expected}'); ")
            + string.Join("; ", seeks.Select(s => string.Create(Invariant, $"{s.Name} at {s.Probe.Time:F3} s ('{s.Probe.Expected}')"))));
        var figures = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (int run = 1; run <= runs; run++)
        {
            string load = LoadAverage();
            var steps = await OpenAndSeekAsync(bench, id, first, seeks);
            foreach (var (name, ms, _) in steps) (figures.TryGetValue(name, out var list) ? list : figures[name] = []).Add(ms);
            Console.WriteLine($"run {run} (load {load}): " + string.Join("; ", steps.Select(s => string.Create(Invariant, $"{s.Name} {s.Ms:F0} ms"))));
            foreach (var (name, _, fetches) in steps.Where(s => s.Fetches.Length > 0)) Console.WriteLine($"    {name}: {fetches}");
        }
        Console.WriteLine($"ranges over {runs} runs (load now {LoadAverage()}): "
            + string.Join("; ", figures.Select(f => string.Create(Invariant, $"{f.Key} {f.Value.Min():F0}–{f.Value.Max():F0} ms"))));
        for (int round = 1; round <= runs; round++)
        {
            string load = LoadAverage();
            double perViewer = await MemoryPerViewerAsync(bench, id, first, viewers);
            Console.WriteLine(string.Create(Invariant,
                $"server VmRSS growth per viewer, round {round} ({viewers} viewers opening and seeking at once; load {load}): {perViewer:F1} MiB"));
        }

        // The fallback for a recording without keyframes (made before this node kept them, or a crash): the first view builds them.
        Directory.Delete(cache, recursive: true);
        var cold = await OpenAndSeekAsync(bench, id, first, seeks[..1], 900_000); // the first view reads and replays every chunk
        Console.WriteLine("without keyframes (first view builds them): " + string.Join("; ", cold.Select(s => string.Create(Invariant, $"{s.Name} {s.Ms:F0} ms"))));
    }

    /// <summary>
    /// Opens the player page and shows the recording's first output (first frame, from navigation), then each seek in turn until
    /// the terminal shows the text expected there (from the seek call); with the recording's requests of each step.
    /// </summary>
    /// <remarks>
    /// Times are taken in the page (<c>performance.now()</c>: the seek call, and the first poll that finds the text), so the
    /// Playwright driver's own delays on a loaded machine are not counted; polling is every 5 ms.
    /// </remarks>
    private static async Task<List<(string Name, double Ms, string Fetches)>> OpenAndSeekAsync(BenchBastion bench, string id, ScreenProbe first,
        IEnumerable<(string Name, ScreenProbe Probe)> seeks, int timeout = 120_000)
    {
        var page = await bench.Context.NewPageAsync();
        using var log = PageLog.Attach(page);
        var marks = new List<(string Name, double From, double To)>();
        try
        {
            // TRACE_DIR: a Chromium performance trace of each opening (load it in chrome://tracing or Perfetto) to see where it goes.
            string? traceDir = Environment.GetEnvironmentVariable("TRACE_DIR");
            await using var trace = traceDir is null ? null : await PageTrace.StartAsync(page, Path.Combine(traceDir, $"open-{DateTime.UtcNow:HHmmss.fff}.json"));
            double drawn = await OpenAtAsync(bench, page, log, id, first, 5, timeout);
            if (trace is not null) await trace.StopAsync();
            if (drawn >= 0) marks.Add(("first frame (server-drawn)", 0, drawn));
            marks.Add(("player drawn", 0, await page.EvaluateAsync<double>("() => window.benchShown")));
            foreach (var (name, probe) in seeks)
            {
                double from = await SeekAsync(bench, page, log, probe, 5);
                marks.Add(("seek to " + name, from, await page.EvaluateAsync<double>("() => window.benchShown")));
            }
            var fetches = new List<(string, double, string)>();
            foreach (var (name, from, to) in marks)
                fetches.Add((name, to - from, name.StartsWith("first frame", StringComparison.Ordinal) ? "" : await FetchesAsync(page, from, to)));
            return fetches;
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    /// <summary>The recording's requests sent between two page times, from the browser's resource timing: when sent, server answer, transfer, size.</summary>
    private static async Task<string> FetchesAsync(IPage page, double from, double to)
    {
        var entries = await page.EvaluateAsync<JsonElement>(
            "([from, to]) => performance.getEntriesByType('resource').filter(e => e.name.includes('/segment') && e.startTime >= from && e.startTime <= to)"
            + ".map(e => [e.name.substring(e.name.lastIndexOf('/') + 1), e.startTime - from, e.responseStart - e.requestStart, e.responseEnd - e.responseStart, e.encodedBodySize, e.responseEnd - from])",
            new[] { from, to });
        var parts = new List<string>();
        if (from == 0)
        {
            var page0 = await page.EvaluateAsync<double[]>(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart - n.requestStart, n.responseEnd, n.domContentLoadedEventEnd]; }");
            parts.Add(string.Create(Invariant, $"page: server {page0[0]:F0}, received at {page0[1]:F0}, scripts run by {page0[2]:F0} ms"));
        }
        double lastEnd = 0;
        foreach (var e in entries.EnumerateArray())
        {
            lastEnd = Math.Max(lastEnd, e[5].GetDouble());
            parts.Add(string.Create(Invariant,
                $"{e[0].GetString()} ({e[4].GetDouble() / 1024:F0} KiB) sent at {e[1].GetDouble():F0}, server {e[2].GetDouble():F0}, transfer {e[3].GetDouble():F0} ms"));
        }
        if (parts.Count > 0) parts.Add(string.Create(Invariant, $"shown {to - from - lastEnd:F0} ms after the last answer"));
        return parts.Count == 0 ? "no request (the window was in the player's cache)" : string.Join("; ", parts);
    }

    /// <summary>
    /// The session page opened at the first output's time (<c>?t=</c>, as a search hit links to it) until the terminal shows what
    /// was printed by then: the page preloads the window there and the player shows it without play; the page time of that is
    /// left in <c>window.benchShown</c>.
    /// </summary>
    /// <returns>When the page painted the screen the server drew for that time (element timing), if it holds the text; else -1.</returns>
    private static async Task<double> OpenAtAsync(BenchBastion bench, IPage page, PageLog log, string id, ScreenProbe first, int polling, int timeout = 120_000)
    {
        try
        {
            string url = $"/sessions/{id}?t={first.SeekArgument}";
            await page.GotoAsync(url, new PageGotoOptions { Timeout = timeout, WaitUntil = WaitUntilState.Commit });
            // Buffered: the paint of the server-drawn screen may come before this runs.
            await page.EvaluateAsync("() => { window.benchPaint = new Promise(resolve => new PerformanceObserver(list => { "
                + "for (const e of list.getEntries()) if (e.identifier === 'first-frame') resolve(e.renderTime || e.loadTime); }).observe({ type: 'element', buffered: true })); }");
            await page.WaitForFunctionAsync(
                $"([expected]) => {{ const t = {TermText}; if (!t.includes(expected)) return false; window.benchShown = performance.now(); return true; }}",
                new[] { first.Expected }, new() { Timeout = timeout, PollingInterval = polling });
            double painted = await page.EvaluateAsync<double>("() => Promise.race([window.benchPaint, new Promise(r => setTimeout(() => r(-1), 2000))])");
            return painted >= 0 && await PosterShowsAsync(bench, url, first.Expected) ? painted : -1;
        }
        catch (TimeoutException)
        {
            await log.DumpAsync(page, TermText, bench.Harness.Bastion.Log);
            throw;
        }
    }

    /// <summary>Whether the screen the server drew into the page at <paramref name="url"/> holds <paramref name="expected"/> (as text, tags and entities undone).</summary>
    private static async Task<bool> PosterShowsAsync(BenchBastion bench, string url, string expected)
    {
        string html = await (await bench.Context.APIRequest.GetAsync(url)).TextAsync();
        var poster = Regex.Match(html, "<pre id=\"poster\"[^>]*>(.*?)</pre>", RegexOptions.Singleline);
        return poster.Success && WebUtility.HtmlDecode(Regex.Replace(poster.Groups[1].Value, "<[^>]+>", "")).Contains(expected, StringComparison.Ordinal);
    }

    /// <summary>
    /// Seeks to the probe's time and waits until the terminal shows its text (and differs from what it showed before); leaves the
    /// page time at which it was seen in <c>window.benchShown</c>. Returns the page time of the seek call.
    /// </summary>
    private static async Task<double> SeekAsync(BenchBastion bench, IPage page, PageLog log, ScreenProbe probe, int polling)
    {
        try
        {
            string before = await page.EvaluateAsync<string>($"() => {TermText}");
            double from = await page.EvaluateAsync<double>($"() => {{ const t = performance.now(); window.fumidaiPlayer.seek({probe.SeekArgument}); return t; }}");
            await page.WaitForFunctionAsync(
                $"([expected, before]) => {{ const t = {TermText}; if (t === before || !t.includes(expected)) return false; window.benchShown = performance.now(); return true; }}",
                new[] { probe.Expected, before }, new() { Timeout = 120_000, PollingInterval = polling });
            return from;
        }
        catch (TimeoutException)
        {
            Console.WriteLine(string.Create(Invariant, $"seek to {probe.Time:F3} s timed out waiting for '{probe.Expected}'"));
            await log.DumpAsync(page, TermText, bench.Harness.Bastion.Log);
            throw;
        }
    }

    /// <summary>When the recording's first output was printed (seconds, exactly as its segment says), from the first windows that hold any.</summary>
    /// <remarks>A slow dial can leave the first chunks (sealed by age) with markers only.</remarks>
    private static async Task<double> FirstOutputAsync(BenchBastion bench, string id)
    {
        for (int window = 0; window < 20; window++)
        {
            var response = await bench.Context.APIRequest.GetAsync($"/sessions/{id}/segments/{window}");
            if (response.Status != 200) break;
            using var json = JsonDocument.Parse(await response.TextAsync());
            foreach (var e in json.RootElement.GetProperty("events").EnumerateArray())
                if (e[1].GetString() == "o" && e[2].GetString()!.Contains("user@web01", StringComparison.Ordinal)) return e[0].GetDouble();
        }
        throw new InvalidOperationException("the first windows show no output");
    }

    private static async Task<double> DurationAsync(IAPIRequestContext api, string id)
    {
        using var index = JsonDocument.Parse(await (await api.GetAsync($"/sessions/{id}/segments.json")).TextAsync());
        return index.RootElement.GetProperty("duration").GetDouble();
    }

    /// <summary>The 1, 5 and 15 minute load averages: the machine may be shared, and the figures mean little without them.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    /// <summary>Peak VmRSS of the server above its idle level while <paramref name="viewers"/> pages open the player and seek at once, per viewer, MiB.</summary>
    private static async Task<double> MemoryPerViewerAsync(BenchBastion bench, string id, ScreenProbe first, int viewers)
    {
        var api = bench.Context.APIRequest;
        double duration = await DurationAsync(api, id);
        var probes = new List<ScreenProbe>();
        for (int v = 0; v < viewers; v++) probes.Add(await ScreenProbe.AtAsync(api, id, duration * (20 + v * 70.0 / viewers) / 100));
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
        var pages = new List<(IPage Page, PageLog Log)>();
        try
        {
            for (int v = 0; v < viewers; v++)
            {
                var page = await bench.Context.NewPageAsync();
                pages.Add((page, PageLog.Attach(page)));
            }
            // As a viewer does: open at the start, then seek to a place of its own.
            await Task.WhenAll(pages.Select(async (p, v) =>
            {
                await OpenAtAsync(bench, p.Page, p.Log, id, first, 20);
                if (probes[v].Time != first.Time) await SeekAsync(bench, p.Page, p.Log, probes[v], 20); // a short recording's first output may come later
            }));
        }
        finally
        {
            await done.CancelAsync();
            await sampler;
            foreach (var (page, log) in pages)
            {
                log.Dispose();
                await page.CloseAsync();
            }
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
