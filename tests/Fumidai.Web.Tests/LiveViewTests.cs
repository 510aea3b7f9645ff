using System.Diagnostics;
using System.Net;

namespace Fumidai.Web.Tests;

/// <summary>The streamed live view in chromium: a late viewer sees the screen as it is, then what is typed as it is printed; every watch is audited.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveViewTests(ConsoleHarness h) : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    /// <summary>The design's bound is 1 s; the test allows more on a machine shared with other builds, and still fails on a view that polls the store.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2.5);

    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private const string TermText = "document.querySelector('#live-player .ap-term') ? document.querySelector('#live-player .ap-term').innerText : ''";

    [Fact]
    public async Task An_auditor_watching_sees_the_screen_on_joining_and_then_text_typed_in_the_running_session_within_moments()
    {
        var vera = await h.Bastion.AddOperatorAsync("vera");
        var watcher = await h.Bastion.AddOperatorAsync("wanda", "auditor", ConsoleHarness.Password);
        long step = Totp.CurrentStep();
        await using var ssh = h.Bastion.SshInteractive(vera, "vera:web01", await Totp.CodeAsync(vera.Secret, step));
        int prompt = await ssh.WaitForAsync("# ", Short);
        await ssh.TypeAsync("echo BEFORE_$((20+1))_JOIN\r");
        int before = await ssh.WaitForAsync("BEFORE_21_JOIN", Short, prompt);
        var running = await h.Bastion.WaitForSessionAsync("vera", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;

        TimeSpan delay = TimeSpan.Zero;
        await _browser.RunAsync(h, "live-view", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "wanda", ConsoleHarness.Password, await Totp.CodeAsync(watcher.Secret, step));
            await page.GotoAsync("/live");
            await page.Locator($"tr[data-session='{id}'] a.watch").ClickAsync();
            await page.WaitForURLAsync($"**/sessions/{id}/watch");
            // Joined late: the snapshot shows what was printed before.
            await page.WaitForFunctionAsync($"() => ({TermText}).includes('BEFORE_21_JOIN')");

            await ssh.TypeAsync("echo STREAMED_$((6*7))_NOW\r");
            await ssh.WaitForAsync("STREAMED_42_NOW", Short, before);
            var clock = Stopwatch.StartNew();
            await page.WaitForFunctionAsync($"() => ({TermText}).includes('STREAMED_42_NOW')", null, new() { Timeout = 15_000, PollingInterval = 50 });
            delay = clock.Elapsed;

            // The end of the session reaches the viewer too.
            await ssh.TypeAsync("exit\r");
            await ssh.WaitForExitAsync(Short);
            await page.WaitForFunctionAsync("() => document.querySelector('#live-player').innerText.toLowerCase().includes('stream ended')");
        });
        Assert.True(delay < Prompt, $"the typed text reached the browser {delay.TotalMilliseconds:0} ms after the operator saw it");
        var watched = await h.Bastion.WaitForAuditAsync(e => e.Detail("action") == "web.watch" && e.Detail("session") == id, "the watch");
        Assert.Equal("recording.access", watched.Type);
        Assert.Equal("wanda", watched.Detail("actor"));
        Assert.Equal("vera", watched.Detail("session_user"));
    }

    [Fact]
    public async Task A_stream_needs_a_sign_in_and_an_ended_session_has_none()
    {
        using var anonymous = ConsoleHttp.Create(h, new CookieContainer());
        using var refused = await anonymous.GetAsync($"/sessions/{h.PlainSession}/stream");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/signin", refused.Headers.Location?.ToString());

        var viewer = await h.Bastion.AddOperatorAsync("wilma", "auditor", ConsoleHarness.Password);
        using var client = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(client, "wilma", ConsoleHarness.Password, await Totp.CodeAsync(viewer.Secret, Totp.CurrentStep()));
        using var ended = await client.GetAsync($"/sessions/{h.PlainSession}/stream");
        Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
        Assert.Contains("is not running on this node", await ended.Content.ReadAsStringAsync());
        using var page = await client.GetAsync($"/sessions/{h.PlainSession}/watch");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Detail("action") == "web.watch" && e.Detail("session") == h.PlainSession);
    }
}
