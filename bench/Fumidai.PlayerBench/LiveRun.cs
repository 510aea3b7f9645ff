using System.Diagnostics;
using System.Globalization;

namespace Fumidai.PlayerBench;

/// <summary>
/// Text printed on the target reaching the live view: an operator's shell through OpenSSH, an auditor's chromium watching it;
/// each sample types a command and times when its output reaches the operator's ssh client and when it shows in the browser.
/// </summary>
internal static class LiveRun
{
    private const string TermText = "(document.querySelector('#live-player .ap-term') || { innerText: '' }).innerText";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchBastion bench, int samples)
    {
        var (op, code) = await bench.NewOperatorAsync();
        await using var ssh = bench.Harness.SshInteractive(op, $"{op.Name}:web01", code);
        int seen = await ssh.WaitForAsync("# ", Wait);
        var running = await bench.Harness.WaitForSessionAsync(op.Name, s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;
        var page = await bench.Context.NewPageAsync();
        await page.GotoAsync($"/sessions/{id}/watch");
        await page.WaitForFunctionAsync($"() => ({TermText}).includes('#')", null, new() { Timeout = 60_000 });

        var afterClient = new List<double>();
        var afterKey = new List<double>();
        for (int k = 1; k <= samples; k++)
        {
            // What the shell prints differs from what was typed, so neither side matches the echo of the command line.
            int mark = 1000 + k * 7;
            string printed = $"LIVE_{mark}_X";
            var clock = Stopwatch.StartNew();
            await ssh.TypeAsync($"echo LIVE_$(({mark - 1}+1))_X\r");
            var client = Task.Run(async () =>
            {
                int at = await ssh.WaitForAsync(printed, Wait, seen);
                return (At: at, Time: clock.Elapsed.TotalMilliseconds);
            });
            var browser = Task.Run(async () =>
            {
                await page.WaitForFunctionAsync($"() => ({TermText}).includes('{printed}')", null, new() { Timeout = 30_000, PollingInterval = 5 });
                return clock.Elapsed.TotalMilliseconds;
            });
            var (at, clientMs) = await client;
            double browserMs = await browser;
            seen = at;
            afterClient.Add(browserMs - clientMs);
            afterKey.Add(browserMs);
            await Task.Delay(200);
        }
        await ssh.TypeAsync("exit\r");
        await ssh.WaitForExitAsync(Wait);
        await page.CloseAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live view, {samples} samples: browser after the operator's client saw the text median {Median(afterClient):F0} ms, max {afterClient.Max():F0} ms; after the keystroke median {Median(afterKey):F0} ms, max {afterKey.Max():F0} ms"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
