using System.Globalization;
using Fumidai.Recording.Asciicast;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// A session page shows the screen at its time as soon as the page itself, drawn by the server from the recording (colours
/// included, text never turned into markup), and the player takes its place once it has drawn the same screen.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FirstFrameTests(ConsoleHarness h) : IAsyncLifetime
{
    // Numbered rows, a bold red word, text that looks like markup, then a pause and later rows the first frame must not show.
    private const string Script =
        "awk 'BEGIN { for (r = 1; r <= 30; r++) printf \"EARLY_ROW_%02d\\r\\n\", r }'; "
        + "printf 'ALERT_\\033[1;31mRED\\033[0m_WORD <b>not bold</b> &amp; <script>x()</script>\\r\\n'; sleep 1; "
        + "awk 'BEGIN { for (r = 1; r <= 5; r++) printf \"LATE_ROW_%02d\\r\\n\", r }'";

    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task The_page_draws_the_screen_at_its_time_without_the_player_scripts()
    {
        var (id, at) = await RecordAsync("framea");
        var auditor = await h.Bastion.AddOperatorAsync("fanny", "auditor", ConsoleHarness.Password);
        h.Users["fanny"] = auditor;
        await _browser.RunAsync(h, "first-frame-no-scripts", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "fanny", ConsoleHarness.Password, await h.CodeAsync("fanny"));
            // No player at all: what shows comes from the page alone.
            await page.RouteAsync("**/assets/vendor/asciinema-player.min.js", route => route.AbortAsync());
            await page.GotoAsync($"/sessions/{id}?t={at}");
            string screen = await page.InnerTextAsync("#poster");
            string[] rows = screen.Split('\n');
            Assert.Contains("EARLY_ROW_30", screen);
            Assert.DoesNotContain("EARLY_ROW_08", screen); // scrolled off an 80×24 screen
            Assert.DoesNotContain("LATE_ROW", screen);
            // 30 rows, the alert and the cursor's empty row on 24 rows: the top row is the ninth, and rows stay rows.
            Assert.Equal("EARLY_ROW_09", rows[0].TrimEnd());
            Assert.Equal("EARLY_ROW_30", rows[21].TrimEnd());
            Assert.Contains("ALERT_RED_WORD <b>not bold</b> &amp; <script>x()</script>", screen);
            Assert.Equal(0, await page.Locator("#poster b").CountAsync());
            Assert.Equal(0, await page.Locator("#poster script").CountAsync());
            var red = page.Locator("#poster span[style]", new() { HasText = "RED" });
            Assert.Equal(1, await red.CountAsync());
            string style = (await red.GetAttributeAsync("style"))!;
            Assert.Contains("color:#dd3c69", style);
            Assert.Contains("font-weight:bold", style);
            Assert.DoesNotContain("display: none", await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('poster')).display"));
        });
    }

    [Fact]
    public async Task The_player_replaces_the_drawn_screen_once_it_shows_the_same_one()
    {
        var (id, at) = await RecordAsync("frameb");
        var auditor = await h.Bastion.AddOperatorAsync("felix", "auditor", ConsoleHarness.Password);
        h.Users["felix"] = auditor;
        await _browser.RunAsync(h, "first-frame-handover", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "felix", ConsoleHarness.Password, await h.CodeAsync("felix"));
            await page.GotoAsync($"/sessions/{id}?t={at}");
            await page.WaitForFunctionAsync("() => document.getElementById('poster') === null");
            Assert.False(await page.EvaluateAsync<bool>("() => document.getElementById('player').classList.contains('starting')"));
            string player = await page.InnerTextAsync("#player .ap-term");
            Assert.Contains("EARLY_ROW_30", player);
            Assert.Contains("<b>not bold</b>", player); // the player draws the coloured word in its own element
            Assert.DoesNotContain("LATE_ROW", player);

            // Without a time the page opens at the start: the drawn screen gives way to the player there too.
            await page.GotoAsync($"/sessions/{id}");
            await page.WaitForFunctionAsync("() => document.getElementById('poster') === null && !document.getElementById('player').classList.contains('starting')");
        });
    }

    /// <summary>Records the script; returns the session and the time (page format) just after the alert line, before the pause ends.</summary>
    private async Task<(string Id, string At)> RecordAsync(string user)
    {
        var (id, _) = await RecordedScripts.RecordAsync(h.Bastion, user, Script);
        var events = await h.Bastion.RecordingEventsAsync(id);
        var alert = events.First(e => e.Type == AsciicastEventType.Output && e.Data.Contains("_WORD", StringComparison.Ordinal));
        return (id, (alert.Time.TotalSeconds + 0.2).ToString("0.###", CultureInfo.InvariantCulture));
    }
}
