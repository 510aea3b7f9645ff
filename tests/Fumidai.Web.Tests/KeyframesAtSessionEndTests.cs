using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// The node that recorded a session through OpenSSH leaves its keyframes, window index and command list in the cache by the
/// time the session's row says it ended, so the first view reads nothing whole; a recording without them (its node crashed
/// before making them) is still indexed at its first view.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class KeyframesAtSessionEndTests(ConsoleHarness h) : IAsyncLifetime
{
    // Three stages of numbered rows, about 17 KiB each, so the 16 KiB chunks of the harness make a recording of several.
    private const string Script =
        "for i in 1 2 3; do awk -v i=$i 'BEGIN { for (r = 1; r <= 1000; r++) printf \"KF%d_ROW_%05d\\r\\n\", i, r }'; sleep 0.3; done";

    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_session_has_its_keyframes_on_disk_when_its_row_is_closed_and_its_first_view_builds_nothing()
    {
        var (id, prefix) = await RecordAsync("kfend");
        // Read at once: the row said "ended", so the keyframes must be there already.
        string folder = Path.Combine(h.Bastion.DataPath, "cache", "keyframes", id);
        Assert.True(Directory.Exists(folder), $"no keyframes for {id} when its row was closed");
        var manifest = await ManifestAsync(prefix);
        Assert.True(manifest.Chunks.Count >= 3, $"the recording has {manifest.Chunks.Count} chunks; the test needs several");
        string built = Path.Combine(folder, manifest.FinalChain);
        Assert.True(File.Exists(Path.Combine(built, "index.json")), "no window index");
        Assert.True(File.Exists(Path.Combine(built, "commands.json")), "no command list");
        for (int i = 0; i < manifest.Chunks.Count; i++)
            Assert.True(File.Exists(Path.Combine(built, $"{i:D6}.keyframe")), $"no keyframe before chunk {i}");
        var before = Snapshot(folder);

        await ViewAsync(id, "kfview", "keyframes-at-end");

        // Nothing rebuilt; the view only notes that it checked the stored chunks' hashes.
        var after = Snapshot(folder);
        foreach (var (file, written) in before) Assert.Equal(written, after[file]);
        Assert.Equal([Path.Combine(built, "store-verified")], after.Keys.Except(before.Keys));
    }

    [Fact]
    public async Task A_recording_whose_keyframes_were_never_made_gets_them_at_its_first_view()
    {
        var (id, prefix) = await RecordAsync("kfcrash");
        var manifest = await ManifestAsync(prefix);
        // As if the node had crashed before making them (a recovered spool has none either).
        string folder = Path.Combine(h.Bastion.DataPath, "cache", "keyframes", id);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);

        await ViewAsync(id, "kffirst", "keyframes-first-view");

        Assert.True(File.Exists(Path.Combine(folder, manifest.FinalChain, "index.json")), "the first view did not build the index");
    }

    private async Task ViewAsync(string id, string auditorName, string screenshot)
    {
        var auditor = await h.Bastion.AddOperatorAsync(auditorName, "auditor", ConsoleHarness.Password);
        h.Users[auditorName] = auditor;
        await _browser.RunAsync(h, screenshot, async page =>
        {
            await ConsoleBrowser.SignInAsync(page, auditorName, ConsoleHarness.Password, await h.CodeAsync(auditorName));
            await page.GotoAsync($"/sessions/{id}");
            Assert.Contains("Recording verified", await page.InnerTextAsync("#verification"));
            Assert.Equal($"/sessions/{id}/segments.json", await page.GetAttributeAsync("#player", "data-segments"));
            await page.WaitForFunctionAsync("() => window.fumidaiPlayer !== undefined");
            var first = await page.APIRequest.GetAsync($"/sessions/{id}/segments/0", new APIRequestContextOptions { IgnoreHTTPSErrors = true });
            Assert.Equal(200, first.Status);
            Assert.Contains("KF1_ROW_00001", await first.TextAsync());
        });
    }

    private static SortedDictionary<string, DateTime> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc), StringComparer.Ordinal);

    private Task<(string Id, string Prefix)> RecordAsync(string user) => RecordedScripts.RecordAsync(h.Bastion, user, Script);

    private Task<RecordingManifest> ManifestAsync(string prefix) => RecordedScripts.ManifestAsync(h.Bastion, prefix);
}
