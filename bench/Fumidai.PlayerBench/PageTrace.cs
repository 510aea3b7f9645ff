using System.Text.Json;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>A Chromium performance trace of one page over the DevTools protocol, written as a JSON trace file (chrome://tracing, Perfetto).</summary>
internal sealed class PageTrace : IAsyncDisposable
{
    private const string Categories = "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing,loading,netlog";

    private readonly ICDPSession _session;
    private readonly string _path;
    private readonly List<JsonElement> _events = [];
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopped;

    private PageTrace(ICDPSession session, string path)
    {
        _session = session;
        _path = path;
        _session.Event("Tracing.dataCollected").OnEvent += (_, data) =>
        {
            if (data is { } d && d.TryGetProperty("value", out var value))
                lock (_events) _events.AddRange(value.EnumerateArray().Select(e => e.Clone()));
        };
        _session.Event("Tracing.tracingComplete").OnEvent += (_, _) => _complete.TrySetResult();
    }

    public static async Task<PageTrace> StartAsync(IPage page, string path)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        var trace = new PageTrace(session, path);
        await session.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["categories"] = Categories,
            ["transferMode"] = "ReportEvents",
        });
        return trace;
    }

    /// <summary>Ends the trace and writes the file (bounded: a trace that does not complete in 30 s is written as it is).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _session.SendAsync("Tracing.end");
        await Task.WhenAny(_complete.Task, Task.Delay(30_000));
        lock (_events)
            File.WriteAllText(_path, JsonSerializer.Serialize(new { traceEvents = _events }));
        Console.WriteLine($"trace of the opening: {_path} ({_events.Count} events)");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _session.DetachAsync();
    }
}
