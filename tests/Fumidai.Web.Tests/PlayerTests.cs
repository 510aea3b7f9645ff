using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>The player in chromium: a verified recording plays with its commands beside it, a tampered one shows the red banner; every read is audited.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PlayerTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public Task A_verified_recording_plays_in_the_browser_its_commands_seek_and_every_view_and_download_is_audited() =>
        _browser.RunAsync(h, "player", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "ursula", ConsoleHarness.Password, await h.CodeAsync("ursula"));
            await page.ClickAsync($"tr[data-session='{h.PlainSession}'] a");
            await page.WaitForURLAsync($"**/sessions/{h.PlainSession}");
            Assert.Contains("Recording verified", await page.InnerTextAsync("#verification"));
            Assert.Equal(0, await page.Locator("#banner").CountAsync());
            // The exec's command line, as typed (the shell expands it only in the output).
            var command = page.Locator("#commands a[data-seek]");
            Assert.Contains("echo CONSOLE_$((6*7))_MARK", await command.First.InnerTextAsync());

            // The player is asciinema-player from the bastion's own assets; play it and read what its terminal shows.
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            await command.First.ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('player').dataset.seeked === '0'");
            await page.EvaluateAsync("() => window.fumidaiPlayer.play()");
            await page.WaitForFunctionAsync("() => document.querySelector('#player .ap-term') && document.querySelector('#player .ap-term').innerText.includes('CONSOLE_42_MARK')");
            // Kept beside the failure screenshots: the README's picture of the player comes from here.
            Directory.CreateDirectory(ConsoleBrowser.ScreenshotDirectory);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, "player.png") });

            var transcript = await page.APIRequest.GetAsync($"/sessions/{h.PlainSession}/transcript", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Equal(200, transcript.Status);
            Assert.Contains("CONSOLE_42_MARK", await transcript.TextAsync());
            var commands = await page.APIRequest.GetAsync($"/sessions/{h.PlainSession}/commands.json", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Contains("CONSOLE_$((6*7))_MARK", await commands.TextAsync());
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-cast"));
            Assert.Equal($"session-{h.PlainSession}.cast", download.SuggestedFilename);

            // The audit log page names her for the view, the playback and each download.
            await page.GotoAsync("/audit?type=recording.access&size=50");
            string audit = await page.InnerTextAsync("#audit");
            foreach (string action in new[] { "web.view", "web.play", "web.download.transcript", "web.download.commands", "web.download.cast" })
                Assert.Contains($"action={action} session={h.PlainSession}", audit);
            Assert.Contains("actor=ursula", audit);
        });

    [Fact]
    public Task A_tampered_chunk_shows_a_red_banner_naming_it_and_the_recording_is_read_only_after_confirmation() =>
        _browser.RunAsync(h, "tampered", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "tess", ConsoleHarness.Password, await h.CodeAsync("tess"));
            await page.GotoAsync($"/sessions/{h.TamperedSession}");
            string banner = await page.InnerTextAsync("#banner");
            Assert.Contains("does not verify", banner);
            Assert.Contains("chunk 0", banner);
            Assert.Equal(0, await page.Locator("#player").CountAsync());
            var refused = await page.APIRequest.GetAsync($"/sessions/{h.TamperedSession}/cast?download=1", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Equal(409, refused.Status);
            Assert.DoesNotContain("TAMPER_11_ME", await refused.TextAsync());

            await page.ClickAsync("#read-anyway");
            await page.WaitForURLAsync("**unverified=1");
            Assert.Contains("chunk 0", await page.InnerTextAsync("#banner"));
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            await page.EvaluateAsync("() => window.fumidaiPlayer.play()");
            await page.WaitForFunctionAsync("() => document.querySelector('#player .ap-term') && document.querySelector('#player .ap-term').innerText.includes('TAMPER_11_ME')");
            var read = await h.Bastion.WaitForAuditAsync(e => e.Type == "recording.access" && e.Detail("session") == h.TamperedSession
                && e.Detail("action") == "web.play", "unverified playback");
            Assert.StartsWith("unverified: chunk 0", read.Detail("verification"));
            Assert.Equal("tess", read.Detail("actor"));
        });

    [Fact]
    public Task Command_search_finds_a_typed_command_across_sessions_and_opens_the_player_at_it() =>
        _browser.RunAsync(h, "search", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "sam", ConsoleHarness.Password, await h.CodeAsync("sam"));
            await page.GotoAsync("/search");
            await page.FillAsync("#q", "CONSOLE_$((6");
            await page.ClickAsync("#search");
            await page.WaitForURLAsync("**/search?*");
            var hits = page.Locator("#hits tbody tr");
            Assert.Equal(1, await hits.CountAsync());
            Assert.Contains("echo CONSOLE_$((6*7))_MARK", await hits.First.InnerTextAsync());
            await hits.First.Locator("a").ClickAsync();
            await page.WaitForURLAsync($"**/sessions/{h.PlainSession}?at=*");
            Assert.NotNull(await page.GetAttributeAsync("#player", "data-start"));
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            var search = await h.Bastion.WaitForAuditAsync(e => e.Type == "recording.access" && e.Detail("action") == "web.search" && e.Detail("actor") == "sam",
                "web search by sam");
            Assert.Equal("CONSOLE_$((6", search.Detail("query"));
            Assert.Equal("1", search.Detail("hits"));
        });
}
