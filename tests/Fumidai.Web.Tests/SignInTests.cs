using Fumidai.Web.Auth;

namespace Fumidai.Web.Tests;

/// <summary>Signing in to the console in chromium: password and TOTP (codes from oathtool), refusals, lockout, idle sign-out.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public Task An_auditor_signs_in_with_password_and_code_lists_and_filters_sessions_and_gets_403_on_admin_pages() =>
        _browser.RunAsync(h, "signin-list", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "audra", ConsoleHarness.Password, await h.CodeAsync("audra"));
            Assert.EndsWith("/sessions", page.Url);
            Assert.Contains("audra (auditor)", await page.InnerTextAsync("header"));
            Assert.Contains("2 session(s)", await page.InnerTextAsync("#count"));
            string table = await page.InnerTextAsync("#sessions");
            Assert.Contains("alice", table);
            Assert.Contains("web01", table);

            await page.FillAsync("input[name=user]", "alice");
            await page.SelectOptionAsync("select[name=status]", "closed");
            await page.ClickAsync("#filter");
            await page.WaitForURLAsync("**/sessions?*");
            Assert.Contains("2 session(s)", await page.InnerTextAsync("#count"));
            await page.SelectOptionAsync("select[name=status]", "running");
            await page.ClickAsync("#filter");
            await page.WaitForURLAsync("**status=running*");
            Assert.Contains("0 session(s)", await page.InnerTextAsync("#count"));
            await page.GotoAsync("/sessions?q=TAMPER");
            Assert.Contains("1 session(s)", await page.InnerTextAsync("#count"));
            await page.GotoAsync("/sessions?size=1&sort=start&dir=asc");
            Assert.Contains("page 1 of 2", await page.InnerTextAsync(".pager"));
            await page.ClickAsync("#next");
            await page.WaitForURLAsync("**page=2*");
            Assert.Contains("page 2 of 2", await page.InnerTextAsync(".pager"));

            // Separation of duties: the admin page and the admin actions are refused to an auditor.
            var admin = await page.GotoAsync("/admin");
            Assert.Equal(403, admin!.Status);
            Assert.Contains("admins only", await page.InnerTextAsync("#error"));
            // An admin action posted from the console's own page, with its antiforgery token: still 403 for an auditor.
            var terminate = await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync(@"id => {
                const form = document.querySelector('form.signout');
                form.action = '/sessions/' + id + '/terminate';
                const reason = document.createElement('input');
                reason.name = 'reason';
                reason.value = 'auditors may not';
                form.appendChild(reason);
                form.submit();
            }", h.PlainSession), response => response.Url.EndsWith("/terminate", StringComparison.Ordinal));
            Assert.Equal(403, terminate.Status);
            await page.WaitForLoadStateAsync();
            Assert.Contains("admins only", await page.InnerTextAsync("#error"));
            var login = await h.Bastion.WaitForAuditAsync(e => e.Type == "login" && e.User == "audra" && e.Detail("via") == "web", "web login of audra");
            Assert.Equal("password+totp", login.Detail("method"));
        });

    [Fact]
    public Task A_wrong_code_and_a_code_already_used_over_ssh_are_refused_with_clear_messages() =>
        _browser.RunAsync(h, "signin-codes", async page =>
        {
            var wendy = h.Users["wendy"];
            long step = Totp.CurrentStep();
            await ConsoleBrowser.SignInAsync(page, "wendy", ConsoleHarness.Password, await Totp.WrongCodeAsync(wendy.Secret, step));
            Assert.Equal(ConsoleSignIn.WrongCode, await page.InnerTextAsync("#error"));
            Assert.Contains("/signin", page.Url);

            // The same replay store as SSH: her code of this step, used to log in over ssh, is refused here.
            string code = await Totp.CodeAsync(wendy.Secret, step);
            await h.Bastion.SshExecAsync(wendy, "wendy:web01", "true", code);
            await h.Bastion.WaitForAuditAsync(e => e.User == "wendy" && e.Type == "login" && e.Detail("via") != "web", "ssh login of wendy");
            await ConsoleBrowser.SignInAsync(page, "wendy", ConsoleHarness.Password, code);
            Assert.Equal(ConsoleSignIn.ReusedCode, await page.InnerTextAsync("#error"));
            await h.Bastion.WaitForAuditAsync(e => e.User == "wendy" && e.Type == "mfa.replay" && e.Detail("via") == "web", "web replay of wendy");
        });

    [Fact]
    public Task After_three_wrong_passwords_the_account_is_locked_even_for_the_right_password_and_code() =>
        _browser.RunAsync(h, "signin-lockout", async page =>
        {
            for (int i = 0; i < ConsoleHarness.LockoutThreshold; i++)
            {
                await ConsoleBrowser.SignInAsync(page, "locky", "wrong password 0000" + i, "000000");
                Assert.Equal(ConsoleSignIn.WrongPassword, await page.InnerTextAsync("#error"));
            }
            await ConsoleBrowser.SignInAsync(page, "locky", ConsoleHarness.Password, await h.CodeAsync("locky"));
            Assert.Contains("locked after too many failed attempts", await page.InnerTextAsync("#error"));
            Assert.Contains("/signin", page.Url);
            await h.Bastion.WaitForAuditAsync(e => e.User == "locky" && e.Type == "login.lockout" && e.Detail("via") == "web", "lockout of locky");
        });

    [Fact]
    public Task An_operator_without_the_admin_or_auditor_role_cannot_sign_in() =>
        _browser.RunAsync(h, "signin-norole", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "carol", ConsoleHarness.Password, await h.CodeAsync("carol"));
            Assert.Equal(ConsoleSignIn.NoConsoleRole, await page.InnerTextAsync("#error"));
            var sessions = await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
            Assert.Equal(200, sessions!.Status);
        });

    [Fact]
    public async Task A_console_alone_with_no_ssh_signs_out_after_its_idle_timeout()
    {
        int port = BastionProcess.FreePort();
        await using var alone = BastionProcess.Launch(h.Bastion.DataPath, new Dictionary<string, string>
        {
            [BastionProcess.WebEnabledVariable] = "true",
            ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{port}",
            ["FUMIDAI__Web__IdleTimeout"] = "6s",
        }, ["--no-ssh"]);
        Assert.True(await alone.WaitForLogAsync($"console listening on https://127.0.0.1:{port}/", TimeSpan.FromSeconds(60)), alone.Log);
        Assert.DoesNotContain("listening on 127.0.0.1", alone.Log);
        await _browser.RunAsync(h, "idle-signout", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "idle", ConsoleHarness.Password, await h.CodeAsync("idle"));
            Assert.EndsWith("/sessions", page.Url);
            // Activity keeps her signed in past the timeout (the gaps leave slack for a loaded machine)…
            for (int i = 0; i < 4; i++)
            {
                await Task.Delay(2000);
                await page.GotoAsync("/sessions");
                Assert.EndsWith("/sessions", page.Url);
            }
            // …and 6 s without a request signs her out.
            await Task.Delay(8000);
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
        }, new Uri($"https://127.0.0.1:{port}/"));
        await h.Bastion.WaitForAuditAsync(e => e.User == "idle" && e.Detail("reason") == "signed out: idle", "idle sign-out");
    }
}
