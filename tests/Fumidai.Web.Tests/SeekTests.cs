using System.Globalization;
using System.Text.Json;
using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// A recording of many chunks, made through OpenSSH, opens in chromium from its first window and seeks to a later time by
/// fetching the window there: the terminal shows what the screen showed then, and the player never fetched the whole recording.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SeekTests(ConsoleHarness h) : IAsyncLifetime
{
    // Eight stages of 1000 numbered rows (about 17 KiB each, so several 16 KiB chunks), a pause between them, then a red line.
    private const string Script =
        "for i in 1 2 3 4 5 6 7 8; do awk -v i=$i 'BEGIN { for (r = 1; r <= 1000; r++) printf \"STAGE%d_ROW_%05d\\r\\n\", i, r }'; sleep 0.4; done; "
        + "sleep 0.5; printf 'FINAL_\\033[1;31mRED\\033[0m_LINE\\r\\n'";

    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_multi_chunk_recording_seeks_to_a_later_time_by_fetching_only_the_window_there()
    {
        var (id, prefix) = await RecordAsync("seeka");
        var manifest = await ManifestAsync(prefix);
        Assert.True(manifest.Chunks.Count >= 6, $"the recording has {manifest.Chunks.Count} chunks; the test needs many");

        // Where to seek: just before stage 5 starts, when stage 4's last row is on screen and nothing of stage 5 yet.
        var events = await h.Bastion.RecordingEventsAsync(id);
        double stage5 = events.First(e => e.Type == AsciicastEventType.Output && e.Data.Contains("STAGE5_ROW_00001", StringComparison.Ordinal)).Time.TotalSeconds;
        double target = stage5 - 0.1;
        var auditor = await h.Bastion.AddOperatorAsync("seeker", "auditor", ConsoleHarness.Password);
        h.Users["seeker"] = auditor;

        await _browser.RunAsync(h, "seek", async page =>
        {
            var fetched = new List<string>();
            page.Request += (_, request) => fetched.Add(new Uri(request.Url).AbsolutePath);
            await ConsoleBrowser.SignInAsync(page, "seeker", ConsoleHarness.Password, await h.CodeAsync("seeker"));
            await page.GotoAsync($"/sessions/{id}");
            Assert.Contains("Recording verified", await page.InnerTextAsync("#verification"));
            Assert.Equal($"/sessions/{id}/segments.json", await page.GetAttributeAsync("#player", "data-segments"));
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            await page.EvaluateAsync($"() => window.fumidaiPlayer.seek({target.ToString("0.###", CultureInfo.InvariantCulture)})");
            await page.WaitForFunctionAsync(
                "() => { const t = document.querySelector('#player .ap-term'); return t && t.innerText.includes('STAGE4_ROW_01000'); }");
            string screen = await page.InnerTextAsync("#player .ap-term");
            Assert.Contains("STAGE4_ROW_00990", screen);
            Assert.DoesNotContain("STAGE5_", screen);

            // The end: the red line, drawn from the last window.
            await page.EvaluateAsync($"() => window.fumidaiPlayer.seek({events[^1].Time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)})");
            await page.WaitForFunctionAsync(
                "() => { const t = document.querySelector('#player .ap-term'); return t && t.innerText.includes('FINAL_') && t.innerText.includes('_LINE'); }");

            var segments = fetched.Where(p => p.StartsWith($"/sessions/{id}/segments/", StringComparison.Ordinal)).Distinct().ToList();
            var index = await page.APIRequest.GetAsync($"/sessions/{id}/segments.json", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            using var json = JsonDocument.Parse(await index.TextAsync());
            int total = json.RootElement.GetProperty("segments").GetArrayLength();
            Assert.True(segments.Count < total, $"the player fetched {segments.Count} of {total} segments: {string.Join(' ', segments)}");
            Assert.DoesNotContain($"/sessions/{id}/cast", fetched);

            // The same time as an asciicast window: its first event, at 0, redraws the screen as it was then.
            var window = await page.APIRequest.GetAsync($"/sessions/{id}/window?t={target.ToString("0.###", CultureInfo.InvariantCulture)}",
                new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Equal(200, window.Status);
            using var reader = new AsciicastReader(new StringReader(await window.TextAsync()));
            var first = reader.ReadEvents().First();
            Assert.Equal(TimeSpan.Zero, first.Time);
            Assert.Contains("STAGE4_ROW_01000", first.Data);
            Assert.DoesNotContain("STAGE5_", first.Data);
        });

    }

    [Fact]
    public async Task A_chunk_altered_after_its_keyframes_were_cached_is_refused_when_served_and_the_banner_names_it()
    {
        var (id, prefix) = await RecordAsync("seekb");
        var manifest = await ManifestAsync(prefix);
        Assert.True(manifest.Chunks.Count >= 4, $"the recording has {manifest.Chunks.Count} chunks; the test needs several");
        var auditor = await h.Bastion.AddOperatorAsync("tamara", "auditor", ConsoleHarness.Password);
        h.Users["tamara"] = auditor;
        await _browser.RunAsync(h, "tampered-later", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "tamara", ConsoleHarness.Password, await h.CodeAsync("tamara"));
            await page.GotoAsync($"/sessions/{id}");
            Assert.Contains("Recording verified", await page.InnerTextAsync("#verification"));
            var index = await page.APIRequest.GetAsync($"/sessions/{id}/segments.json", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            using var json = JsonDocument.Parse(await index.TextAsync());
            double third = json.RootElement.GetProperty("segments")[2].GetProperty("start").GetDouble();

            // An intruder rewrites a byte of chunk 2 in place: same size, so only its hash tells.
            var store = RecordingStores.Open(new RecordingOptions(), new DataDirectory(h.Bastion.DataPath));
            try
            {
                string key = prefix + manifest.Chunks[2].Name;
                byte[] chunk = (await store.GetAsync(key))!;
                chunk[chunk.Length / 2] ^= 0x20;
                await store.PutAsync(key, chunk);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }

            await page.EvaluateAsync($"() => Promise.resolve(window.fumidaiPlayer.seek({(third + 0.01).ToString("0.###", CultureInfo.InvariantCulture)})).catch(() => 'refused')");
            await page.WaitForSelectorAsync("#banner");
            Assert.Contains("does not verify", await page.InnerTextAsync("#banner"));
            var segment = await page.APIRequest.GetAsync($"/sessions/{id}/segments/2", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Equal(409, segment.Status);

            // Opened again, the recording is verified whole once more and the banner names the chunk.
            await page.GotoAsync($"/sessions/{id}");
            Assert.Contains("chunk 2", await page.InnerTextAsync("#banner"));
            Assert.Equal(0, await page.Locator("#player").CountAsync());
        });
    }

    [Fact]
    public async Task A_page_opened_at_a_time_shows_the_screen_of_that_time_without_play_from_the_window_it_preloaded()
    {
        var (id, _) = await RecordAsync("seekc");
        var events = await h.Bastion.RecordingEventsAsync(id);
        double stage5 = events.First(e => e.Type == AsciicastEventType.Output && e.Data.Contains("STAGE5_ROW_00001", StringComparison.Ordinal)).Time.TotalSeconds;
        string target = (stage5 - 0.1).ToString("0.###", CultureInfo.InvariantCulture);
        var auditor = await h.Bastion.AddOperatorAsync("opener", "auditor", ConsoleHarness.Password);
        h.Users["opener"] = auditor;

        await _browser.RunAsync(h, "open-at", async page =>
        {
            var fetched = new List<string>();
            await ConsoleBrowser.SignInAsync(page, "opener", ConsoleHarness.Password, await h.CodeAsync("opener"));
            page.Request += (_, request) =>
            {
                lock (fetched) fetched.Add(new Uri(request.Url).AbsolutePath);
            };
            await page.GotoAsync($"/sessions/{id}?t={target}");
            // As a search hit or a shared link opens it: nobody presses play or seeks.
            await page.WaitForFunctionAsync(
                "() => { const t = document.querySelector('#player .ap-term'); return t && t.innerText.includes('STAGE4_ROW_01000'); }");
            Assert.DoesNotContain("STAGE5_", await page.InnerTextAsync("#player .ap-term"));
            string[] segments;
            lock (fetched) segments = [.. fetched.Where(p => p.StartsWith($"/sessions/{id}/segments/", StringComparison.Ordinal))];
            Assert.Single(segments.Distinct());
            Assert.Single(segments);
        });
    }

    [Fact]
    public async Task A_seek_made_while_the_opening_window_still_loads_is_not_undone_when_that_window_arrives()
    {
        var (id, _) = await RecordAsync("seekd");
        var events = await h.Bastion.RecordingEventsAsync(id);
        double StageStart(int stage) => events.First(e => e.Type == AsciicastEventType.Output
            && e.Data.Contains($"STAGE{stage}_ROW_00001", StringComparison.Ordinal)).Time.TotalSeconds;
        string sought = (StageStart(5) - 0.1).ToString("0.###", CultureInfo.InvariantCulture);
        var auditor = await h.Bastion.AddOperatorAsync("hasty", "auditor", ConsoleHarness.Password);
        h.Users["hasty"] = auditor;

        await _browser.RunAsync(h, "seek-while-opening", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "hasty", ConsoleHarness.Password, await h.CodeAsync("hasty"));
            // A slow answer for every window asked before the reader's seek: the opening window arrives after the sought one.
            bool seekMade = false;
            await page.RouteAsync($"**/sessions/{id}/segments/*", async route =>
            {
                if (!Volatile.Read(ref seekMade)) await Task.Delay(2000);
                await route.ContinueAsync();
            });
            await page.GotoAsync($"/sessions/{id}", new() { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            Volatile.Write(ref seekMade, true);
            await page.EvaluateAsync($"() => {{ window.fumidaiPlayer.seek({sought}); }}");
            const string Screen = "document.querySelector('#player .ap-term')";
            await page.WaitForFunctionAsync($"() => {{ const t = {Screen}; return t && t.innerText.includes('STAGE4_ROW_01000'); }}");

            // The opening window is answered about two seconds after it was asked; the screen must stay where the reader went.
            var until = DateTime.UtcNow.AddSeconds(4);
            while (DateTime.UtcNow < until)
            {
                string screen = await page.InnerTextAsync("#player .ap-term");
                Assert.Contains("STAGE4_ROW_01000", screen);
                Assert.DoesNotContain("STAGE1_", screen);
                await Task.Delay(100);
            }
        });
    }

    private Task<(string Id, string Prefix)> RecordAsync(string user) => RecordedScripts.RecordAsync(h.Bastion, user, Script);

    private Task<RecordingManifest> ManifestAsync(string prefix) => RecordedScripts.ManifestAsync(h.Bastion, prefix);
}
