namespace Fumidai.Web.Tests;

/// <summary>The daily review page: what happened in the period, counted, with watched commands linked to the player; viewing it is audited.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReviewPageTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task An_auditor_sees_a_failed_login_the_sessions_and_a_watched_command_of_the_day()
    {
        var rev = await h.Bastion.AddOperatorAsync("revop");
        long step = Totp.CurrentStep();
        // A wrong code (counted as a failure), then a session whose command is on the default watch list.
        var wrong = await h.Bastion.SshExecAsync(rev, "revop:web01", "echo NO", "000000", batch: false);
        Assert.NotEqual(0, wrong.ExitCode);
        var ran = await h.Bastion.SshExecAsync(rev, "revop:web01", "echo iptables -L WATCHED_$((6*7))", await Totp.CodeAsync(rev.Secret, step));
        Assert.True(ran.ExitCode == 0, ran.StandardError);
        await h.Bastion.WaitForSessionAsync("revop", s => s.GetProperty("status").GetString() == "closed", "closed");

        var auditor = await h.Bastion.AddOperatorAsync("revaud", "auditor", ConsoleHarness.Password);
        string logins = "", failures = "", watched = "", targets = "", link = "";
        await _browser.RunAsync(h, "review", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "revaud", ConsoleHarness.Password, await Totp.CodeAsync(auditor.Secret, Totp.CurrentStep()));
            await page.ClickAsync("nav a[href='/review']");
            logins = await page.InnerTextAsync("#logins");
            failures = await page.InnerTextAsync("#failures");
            targets = await page.InnerTextAsync("#targets");
            watched = await page.InnerTextAsync("#watched");
            link = await page.GetAttributeAsync("#watched tbody tr:has-text('WATCHED') a", "href") ?? "";
        });
        Assert.Contains("revop", logins);
        Assert.Matches(@"mfa\.failure\s+revop\s+127\.0\.0\.1\s+1", failures);
        Assert.Contains("web01", targets);
        Assert.Contains("echo iptables -L WATCHED_$((6*7))", watched);
        Assert.Contains("iptables", watched);
        Assert.StartsWith("/sessions/", link);
        Assert.Contains("?at=", link);
        var viewed = await h.Bastion.WaitForAuditAsync(e => e.Detail("action") == "web.review" && e.Detail("actor") == "revaud", "the review view");
        Assert.Equal("24", viewed.Detail("hours"));
    }
}
