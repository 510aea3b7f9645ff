using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>What a page logged and fetched, with timings, written out with a screenshot and the server's log when a measured step times out.</summary>
internal sealed class PageLog : IDisposable
{
    private readonly IPage _page;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _lines = new();

    private PageLog(IPage page)
    {
        _page = page;
        page.Console += OnConsole;
        page.PageError += OnPageError;
        page.RequestFinished += OnRequestFinished;
        page.RequestFailed += OnRequestFailed;
    }

    public static PageLog Attach(IPage page) => new(page);

    /// <summary>Now on this log's clock, ms.</summary>
    public double Now => _clock.Elapsed.TotalMilliseconds;

    /// <summary>The log, the terminal's text, a screenshot and the server's log under /tmp, named on the console.</summary>
    public async Task DumpAsync(IPage page, string termText, string serverLog)
    {
        string stem = Path.Combine(Path.GetTempPath(), "fumidai-playerbench-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png" });
            _lines.Enqueue("terminal text: " + await page.EvaluateAsync<string>($"() => {termText}"));
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            _lines.Enqueue("no screenshot: " + ex.Message);
        }
        await File.WriteAllLinesAsync(stem + ".log", _lines);
        await File.WriteAllTextAsync(stem + ".server.log", serverLog);
        Console.Error.WriteLine($"timed out; page log, screenshot and server log: {stem}.log, {stem}.png, {stem}.server.log");
    }

    private void Add(string line) => _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{Now,9:F0} ms {line}"));

    private void OnConsole(object? sender, IConsoleMessage message) => Add($"console.{message.Type}: {message.Text}");

    private void OnPageError(object? sender, string error) => Add("page error: " + error);

    private void OnRequestFinished(object? sender, IRequest request)
    {
        var timing = request.Timing;
        Add(string.Create(CultureInfo.InvariantCulture, $"{request.Method} {request.Url}: first byte after {timing.ResponseStart:F0} ms, done after {timing.ResponseEnd:F0} ms"));
        _ = LogSizeAsync(request);
    }

    private async Task LogSizeAsync(IRequest request)
    {
        try
        {
            var response = await request.ResponseAsync();
            var sizes = await request.SizesAsync();
            Add(string.Create(CultureInfo.InvariantCulture, $"  {request.Url}: status {response?.Status}, body {sizes.ResponseBodySize} bytes"));
        }
        catch (PlaywrightException)
        {
            // The page closed first.
        }
    }

    private void OnRequestFailed(object? sender, IRequest request) => Add($"{request.Method} {request.Url} FAILED: {request.Failure}");

    public void Dispose()
    {
        _page.Console -= OnConsole;
        _page.PageError -= OnPageError;
        _page.RequestFinished -= OnRequestFinished;
        _page.RequestFailed -= OnRequestFailed;
    }
}
