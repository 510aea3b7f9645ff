using System.Net;
using System.Text.Json;

namespace Fumidai.Web.Tests;

/// <summary>The audit log's JSON-lines export: the page's filter applied, lines that chain, the download audited; bad filters refused.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AuditExportTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task The_export_link_downloads_the_filtered_events_as_json_lines_and_is_audited()
    {
        var exa = await h.Bastion.AddOperatorAsync("exa", "auditor", ConsoleHarness.Password);
        string text = "";
        string? fileName = null;
        await _browser.RunAsync(h, "audit-export", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "exa", ConsoleHarness.Password, await Totp.CodeAsync(exa.Secret, Totp.CurrentStep()));
            await page.GotoAsync("/audit?type=login");
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export"));
            fileName = download.SuggestedFilename;
            text = await File.ReadAllTextAsync((await download.PathAsync())!);
        });
        Assert.Matches("^fumidai-audit-[0-9]{8}T[0-9]{6}Z\\.jsonl$", fileName);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        long previous = 0;
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var e = json.RootElement;
            Assert.Equal("login", e.GetProperty("type").GetString());
            long seq = e.GetProperty("seq").GetInt64();
            Assert.True(seq > previous, "oldest first");
            previous = seq;
            Assert.Equal(64, e.GetProperty("hash").GetString()!.Length);
        }
        // The console sign-in of exa herself is among them.
        Assert.Contains(lines, l => l.Contains("\"user\":\"exa\"", StringComparison.Ordinal));
        var audited = await h.Bastion.WaitForAuditAsync(e => e.Detail("action") == "web.audit-export" && e.Detail("actor") == "exa", "the export");
        Assert.Equal("recording.access", audited.Type);
        Assert.Equal("?type=login", audited.Detail("filter"));
    }

    [Fact]
    public async Task An_unfiltered_export_chains_line_to_line_and_a_bad_filter_is_refused()
    {
        var exb = await h.Bastion.AddOperatorAsync("exb", "auditor", ConsoleHarness.Password);
        using var client = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(client, "exb", ConsoleHarness.Password, await Totp.CodeAsync(exb.Secret, Totp.CurrentStep()));
        using var response = await client.GetAsync("/audit/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.True(lines.Count > 10);
        Assert.Equal(1, lines[0].GetProperty("seq").GetInt64());
        for (int i = 1; i < lines.Count; i++)
            Assert.Equal(lines[i - 1].GetProperty("hash").GetString(), lines[i].GetProperty("prevHash").GetString());

        int before = (await h.Bastion.AuditAsync()).Count(e => e.Detail("action") == "web.audit-export");
        using var bad = await client.GetAsync("/audit/export?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is not a UTC time", await bad.Content.ReadAsStringAsync());
        Assert.Equal(before, (await h.Bastion.AuditAsync()).Count(e => e.Detail("action") == "web.audit-export"));
    }
}
