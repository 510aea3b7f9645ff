using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// Debian's chromium driven by Playwright, trusting exactly the console's certificate (its public key pinned), one fresh
/// browser context per use. A failing step leaves a screenshot in <see cref="ScreenshotDirectory"/>, named in the failure.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private static readonly float Timeout = 30_000;
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static Task<ConsoleBrowser> LaunchAsync(ConsoleHarness harness) => LaunchAsync([harness.SpkiPin()]);

    /// <summary>A browser that trusts exactly the servers whose public keys are <paramref name="spkiPins"/> (the console, a test IdP).</summary>
    public static async Task<ConsoleBrowser> LaunchAsync(IReadOnlyList<string> spkiPins)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = 60_000,
                // Root in a container has no user namespaces for chromium's sandbox.
                Args = ["--no-sandbox", "--ignore-certificate-errors-spki-list=" + string.Join(',', spkiPins)],
            });
            return new ConsoleBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="steps"/> on a new page at the console; on failure saves a full-page screenshot and says where.</summary>
    public Task RunAsync(ConsoleHarness harness, string name, Func<IPage, Task> steps, Uri? baseUri = null) =>
        RunAsync(baseUri ?? harness.BaseUri, name, steps);

    /// <summary>Runs <paramref name="steps"/> on a new page at <paramref name="baseUri"/>; on failure saves a screenshot and says where.</summary>
    public async Task RunAsync(Uri baseUri, string name, Func<IPage, Task> steps)
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(),
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        try
        {
            await steps(page);
        }
        catch (Exception ex)
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            string path = Path.Combine(ScreenshotDirectory, $"{name}-{DateTime.UtcNow:HHmmss}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            }
            catch (PlaywrightException)
            {
                path = "(no screenshot: the page was gone)";
            }
            throw new Xunit.Sdk.XunitException($"{name} failed at {page.Url}; screenshot {path}\n{ex}");
        }
    }

    /// <summary>Fills and sends the sign-in form.</summary>
    public static async Task SignInAsync(IPage page, string user, string password, string code)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#name", user);
        await page.FillAsync("#password", password);
        await page.FillAsync("#code", code);
        await page.ClickAsync("#signin");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
