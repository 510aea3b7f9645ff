using System.Text.Json;

namespace Fumidai.Web.Tests;

/// <summary>
/// The session page fetches the player's segment index and its first window while the player's scripts load, and the player
/// takes them from there instead of asking again: on a loaded machine the scripts are most of the time to the first frame.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PlayerPreloadTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task The_index_and_the_first_window_are_fetched_once_while_the_player_scripts_load()
    {
        var auditor = await h.Bastion.AddOperatorAsync("prya", "auditor", ConsoleHarness.Password);
        h.Users["prya"] = auditor;
        string id = h.PlainSession;
        await _browser.RunAsync(h, "preload", async page =>
        {
            var fetched = new List<string>();
            await ConsoleBrowser.SignInAsync(page, "prya", ConsoleHarness.Password, await h.CodeAsync("prya"));
            page.Request += (_, request) =>
            {
                lock (fetched) fetched.Add(new Uri(request.Url).AbsolutePath);
            };
            await page.GotoAsync($"/sessions/{id}");
            Assert.Equal($"/sessions/{id}/segments.json", await page.GetAttributeAsync("#player", "data-segments"));
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            // A seek waits for the player's load: by then it has asked for the index and the window it opens at.
            await page.EvaluateAsync("() => Promise.resolve(window.fumidaiPlayer.seek(0))");

            string[] paths;
            lock (fetched) paths = [.. fetched];
            Assert.Equal(1, paths.Count(p => p == $"/sessions/{id}/segments.json"));
            Assert.Equal(1, paths.Count(p => p == $"/sessions/{id}/segments/0"));
            // Sent before the player's script had even arrived, so not by the player.
            var times = await page.EvaluateAsync<JsonElement>(
                "() => { const r = performance.getEntriesByType('resource');"
                + " return [r.find(e => e.name.endsWith('/segments.json')).startTime, r.find(e => e.name.endsWith('/asciinema-player.min.js')).responseEnd]; }");
            Assert.True(times[0].GetDouble() < times[1].GetDouble(),
                $"the index was asked for at {times[0].GetDouble():F0} ms, after the player's script arrived at {times[1].GetDouble():F0} ms");
        });
    }
}
