namespace Fumidai.Web.Tests;

/// <summary>Running sessions in chromium: an admin watches one and terminates it with a reason the operator sees; the audit names her.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveTests(ConsoleHarness h) : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task An_admin_terminates_a_running_session_from_the_live_page_and_the_operator_sees_the_reason()
    {
        var lena = await h.Bastion.AddOperatorAsync("lena");
        await using var ssh = h.Bastion.SshInteractive(lena, "lena:web01", await Totp.CodeAsync(lena.Secret, Totp.CurrentStep()));
        int prompt = await ssh.WaitForAsync("# ", Short);
        await ssh.TypeAsync("echo LIVE_$((2+3))\r");
        await ssh.WaitForAsync("LIVE_5", Short, prompt);
        var running = await h.Bastion.WaitForSessionAsync("lena", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;

        await _browser.RunAsync(h, "live-terminate", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "otto", ConsoleHarness.Password, await h.CodeAsync("otto"));
            await page.GotoAsync("/live");
            var row = page.Locator($"tr[data-session='{id}']");
            Assert.Contains("lena", await row.InnerTextAsync());

            // Watching it: the recording so far, marked as not signed yet.
            await row.Locator("a.recording").ClickAsync();
            await page.WaitForURLAsync($"**/sessions/{id}");
            Assert.Contains("still running", await page.InnerTextAsync("#verification"));
            await page.GotoAsync("/live");

            await page.FillAsync($"tr[data-session='{id}'] input[name=reason]", "incident 77 from the console");
            await page.ClickAsync($"tr[data-session='{id}'] button.terminate");
            await page.WaitForURLAsync("**/live");
        });
        int notice = await ssh.WaitForAsync("[fumidai] session closed by an administrator", Short, prompt);
        Assert.Contains("incident 77 from the console", ssh.Output[notice..]);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await h.Bastion.WaitForAuditAsync(e => e.Type == "session.end" && e.Detail("session") == id, "session.end of the terminated session");
        Assert.Equal("killed", end.Detail("reason"));
        var asked = Assert.Single(await h.Bastion.AuditAsync(), e => e.Type == "admin.change" && e.Detail("action") == "web.terminate");
        Assert.Equal("otto", asked.Detail("actor"));
        Assert.Equal("lena", asked.User);
        Assert.Equal("incident 77 from the console", asked.Detail("reason"));
    }
}
