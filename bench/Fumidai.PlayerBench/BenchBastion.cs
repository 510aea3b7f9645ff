using System.Globalization;
using Fumidai.Testing;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>The end-to-end bastion of the tests (init, a private sshd as web01, <c>fumidai serve</c> with its console) and chromium signed in as an auditor.</summary>
internal sealed class BenchBastion : IAsyncDisposable
{
    public const string Password = "bench console password 2026";
    private int _operators;

    private BenchBastion(BastionHarness harness, int webPort)
    {
        Harness = harness;
        WebPort = webPort;
    }

    public BastionHarness Harness { get; }

    public int WebPort { get; }

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Signed in as the auditor; pages opened in it share the sign-in.</summary>
    public IBrowserContext Context { get; private set; } = null!;

    public static async Task<BenchBastion> StartAsync()
    {
        int webPort = BastionProcess.FreePort();
        var harness = new BastionHarness
        {
            BastionEnvironment = new Dictionary<string, string>
            {
                ["FUMIDAI__Sessions__DrainTimeout"] = "3s",
                [BastionProcess.WebEnabledVariable] = "true",
                ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{webPort}",
                [BastionProcess.HealthListenVariable] = "127.0.0.1:0",
            },
        };
        await harness.InitializeAsync();
        var bench = new BenchBastion(harness, webPort);
        await bench.SignInAsync();
        return bench;
    }

    /// <summary>A new operator allowed on web01 (each SSH login spends a TOTP code of its own user).</summary>
    public async Task<(Operator Operator, string Code)> NewOperatorAsync()
    {
        var op = await Harness.AddOperatorAsync("op" + Interlocked.Increment(ref _operators).ToString(CultureInfo.InvariantCulture));
        return (op, await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
    }

    /// <summary>VmRSS of the serve process, bytes.</summary>
    public long ServerRss()
    {
        foreach (string line in File.ReadLines($"/proc/{Harness.Bastion.Pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    private async Task SignInAsync()
    {
        var auditor = await Harness.AddOperatorAsync("auditor", "auditor", Password);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Timeout = 60_000,
            // Root in a container has no user namespaces for chromium's sandbox; the console's certificate is init's self-signed one.
            Args = ["--no-sandbox"],
        });
        Context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = $"https://127.0.0.1:{WebPort}/",
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await Context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#name", "auditor");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#code", await Totp.CodeAsync(auditor.Secret, Totp.CurrentStep()));
        await page.ClickAsync("#signin");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        if (page.Url.Contains("/signin", StringComparison.Ordinal)) throw new InvalidOperationException("the auditor could not sign in");
        await page.CloseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        await Harness.DisposeAsync();
    }
}
