using System.Net;

namespace Fumidai.Web.Tests;

/// <summary>Lock user from the live page: the operator's running ssh session is cut, she cannot log in again, the admin is named; auditors cannot.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LockUserTests(ConsoleHarness h) : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task An_admin_locks_an_operator_whose_running_ssh_session_is_cut_and_who_cannot_log_in_again()
    {
        var mira = await h.Bastion.AddOperatorAsync("mira");
        var lex = await h.Bastion.AddOperatorAsync("lex", "admin", ConsoleHarness.Password);
        long step = Totp.CurrentStep();
        await using var ssh = h.Bastion.SshInteractive(mira, "mira:web01", await Totp.CodeAsync(mira.Secret, step));
        int prompt = await ssh.WaitForAsync("# ", Short);
        await ssh.TypeAsync("echo LOCKME_$((3*3))\r");
        await ssh.WaitForAsync("LOCKME_9", Short, prompt);
        var running = await h.Bastion.WaitForSessionAsync("mira", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;

        await _browser.RunAsync(h, "lock-user", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "lex", ConsoleHarness.Password, await Totp.CodeAsync(lex.Secret, step));
            await page.GotoAsync("/live");
            await page.FillAsync($"tr[data-session='{id}'] form.lock input[name=reason]", "laptop stolen, ticket 4711");
            await page.ClickAsync($"tr[data-session='{id}'] button.lock-user");
            await page.WaitForURLAsync("**/live");
        });

        int notice = await ssh.WaitForAsync("the account is disabled", Short, prompt);
        Assert.True(notice > prompt);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await h.Bastion.WaitForAuditAsync(e => e.Type == "session.end" && e.Detail("session") == id, "session.end of the locked user's session");
        Assert.Equal("revoked", end.Detail("reason"));
        var locked = Assert.Single(await h.Bastion.AuditAsync(), e => e.Type == "admin.change" && e.Detail("action") == "user.disable" && e.User == "mira");
        Assert.Equal("lex", locked.Detail("actor"));
        Assert.Equal("web", locked.Detail("via"));
        Assert.Equal("laptop stolen, ticket 4711", locked.Detail("reason"));
        Assert.Equal("127.0.0.1", locked.Source);

        var again = await h.Bastion.SshExecAsync(mira, "mira:web01", "echo SHOULD_NOT_RUN", await Totp.CodeAsync(mira.Secret, step + 1));
        Assert.NotEqual(0, again.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", again.Output);
        Assert.True(await DisabledAsync("mira"));
    }

    [Fact]
    public async Task An_auditor_gets_403_when_locking_and_nothing_changes()
    {
        var nora = await h.Bastion.AddOperatorAsync("nora");
        var aud = await h.Bastion.AddOperatorAsync("lockaud", "auditor", ConsoleHarness.Password);
        using var client = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(client, "lockaud", ConsoleHarness.Password, await Totp.CodeAsync(aud.Secret, Totp.CurrentStep()));
        string token = await ConsoleHttp.FormTokenAsync(client, "/live");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "not mine to do" });
        using var response = await client.PostAsync("/users/nora/lock", form);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("for admins only", await response.Content.ReadAsStringAsync());
        Assert.False(await DisabledAsync(nora.Name));
        Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Detail("action") == "user.disable" && e.User == "nora");
    }

    private async Task<bool> DisabledAsync(string user)
    {
        var shown = await h.Bastion.MustAsync("user", "show", user, "--json");
        using var json = System.Text.Json.JsonDocument.Parse(shown.Output);
        return json.RootElement.GetProperty("disabled").GetBoolean();
    }
}
