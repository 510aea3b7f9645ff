using System.Net;
using System.Text.RegularExpressions;

namespace Fumidai.Web.Tests;

/// <summary>
/// Administration of users in chromium: an admin adds a user whose enrolment QR's secret then logs in through ssh, and changes
/// roles, keys, MFA and state with the CLI's rules and messages; every change is audited naming her; auditors get 403.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class AdminUserTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private async Task<string> NewKeyAsync(string name)
    {
        string path = h.Bastion.Directory.Combine("webkey_" + name);
        var made = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path], BastionHarness.ProcessTimeout);
        Assert.Equal(0, made.ExitCode);
        return path;
    }

    [Fact]
    public async Task An_admin_adds_a_user_whose_enrolment_logs_in_through_ssh_and_changes_her_with_the_clis_rules()
    {
        var alma = await h.Bastion.AddOperatorAsync("alma", "admin", ConsoleHarness.Password);
        string key = await NewKeyAsync("newbie");
        string key2 = await NewKeyAsync("newbie2");
        string uri = "";
        await _browser.RunAsync(h, "admin-users", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "alma", ConsoleHarness.Password, await Totp.CodeAsync(alma.Secret, Totp.CurrentStep()));
            await page.GotoAsync("/admin");
            await page.FillAsync("#add-user input[name=name]", "newbie");
            await page.FillAsync("#add-user input[name=roles]", "ops");
            await page.FillAsync("#add-user textarea[name=keys]", await File.ReadAllTextAsync(key + ".pub"));
            await page.ClickAsync("#add");
            uri = await page.InnerTextAsync("#otpauth");
            Assert.True(await page.Locator("#qr").IsVisibleAsync());

            // The CLI's refusals, word for word.
            await page.GotoAsync("/admin/users/newbie");
            await page.FillAsync("#roles input[name=roles]", "ops,nosuch");
            await page.ClickAsync("#roles button");
            Assert.Contains("role 'nosuch' does not exist; add it with `fumidai role add` or use admin, auditor or user", await page.InnerTextAsync("#error"));
            await page.GotoAsync("/admin/users/newbie");
            await page.FillAsync("[id='keys/add'] textarea", "ssh-ed25519 notbase64!");
            await page.ClickAsync("[id='keys/add'] button");
            Assert.Contains("keys:1: not an OpenSSH public key", await page.InnerTextAsync("#error"));

            await page.GotoAsync("/admin/users/newbie");
            await page.FillAsync("[id='keys/add'] textarea", await File.ReadAllTextAsync(key2 + ".pub"));
            await page.ClickAsync("[id='keys/add'] button");
            Assert.Contains("added SHA256:", await page.InnerTextAsync("#done"));
            await page.GotoAsync("/admin/users/newbie");
            Assert.Equal(2, await page.Locator("#keys tr").CountAsync());
            await page.Locator("#keys tr", new() { HasText = "newbie2" }).Locator("button").ClickAsync();
            Assert.Contains("removed SHA256:", await page.InnerTextAsync("#done"));
            await page.GotoAsync("/admin/users/newbie");
            await page.FillAsync("#roles input[name=roles]", "ops,auditor");
            await page.ClickAsync("#roles button");
            Assert.Contains("roles ops,auditor", await page.InnerTextAsync("#done"));
            await page.GotoAsync("/admin/users/newbie");
            await page.ClickAsync("#unlock button");
            Assert.Contains("was not locked", await page.InnerTextAsync("#done"));
        });
        var secret = SecretOf(uri);

        // The secret the QR holds is the one the bastion checks: the new user logs in with her key and a code from oathtool.
        var newbie = new Operator("newbie", key, secret, null);
        var login = await h.Bastion.SshExecAsync(newbie, "newbie:web01", "echo ENROLLED_$((40+2))", await Totp.CodeAsync(secret, Totp.CurrentStep()));
        Assert.True(login.ExitCode == 0, login.StandardError);
        Assert.Contains("ENROLLED_42", login.Output);

        var audit = await h.Bastion.AuditAsync();
        foreach (var action in new[] { "user.add", "user.key.add", "user.key.remove", "user.set", "user.unlock" })
        {
            var change = Assert.Single(audit, e => e.Type is "admin.change" or "login.unlock" && e.Detail("action") == action && e.User == "newbie" && e.Detail("actor") == "alma");
            Assert.Equal("web", change.Detail("via"));
        }
        Assert.Contains(audit, e => e.Type == "mfa.enrolled" && e.User == "newbie" && e.Detail("actor") == "alma");
        Assert.Equal("ops,auditor", Assert.Single(audit, e => e.Detail("action") == "user.set" && e.User == "newbie").Detail("roles"));
        // Refused changes changed nothing and were not audited as done.
        Assert.DoesNotContain(audit, e => e.User == "newbie" && e.Detail("roles").Contains("nosuch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reset_mfa_shows_a_new_code_that_replaces_the_old_and_lock_then_enable_restores_access()
    {
        var olga = await h.Bastion.AddOperatorAsync("olga", "admin", ConsoleHarness.Password);
        var rita = await h.Bastion.AddOperatorAsync("rita");
        string uri = "";
        await _browser.RunAsync(h, "admin-reset-mfa", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "olga", ConsoleHarness.Password, await Totp.CodeAsync(olga.Secret, Totp.CurrentStep()));
            await page.GotoAsync("/admin/users/rita");
            await page.ClickAsync("[id='reset-mfa'] button");
            uri = await page.InnerTextAsync("#otpauth");
            await page.GotoAsync("/admin/users/rita");
            await page.FillAsync("form.lock input[name=reason]", "audit of her laptop");
            await page.ClickAsync("form.lock button");
            await page.GotoAsync("/admin/users/rita");
            Assert.Equal("disabled", await page.InnerTextAsync("#state"));
            await page.ClickAsync("#enable button");
            Assert.Contains("enabled", await page.InnerTextAsync("#done"));
        });
        string secret = SecretOf(uri);
        Assert.NotEqual(rita.Secret, secret);
        long step = Totp.CurrentStep();
        var old = await h.Bastion.SshExecAsync(rita, "rita:web01", "echo OLD_SECRET", await Totp.CodeAsync(rita.Secret, step), batch: false);
        Assert.NotEqual(0, old.ExitCode);
        var fresh = await h.Bastion.SshExecAsync(rita with { Secret = secret }, "rita:web01", "echo NEW_$((1+1))_SECRET", await Totp.CodeAsync(secret, step + 1));
        Assert.True(fresh.ExitCode == 0, fresh.StandardError);
        Assert.Contains("NEW_2_SECRET", fresh.Output);
        var audit = await h.Bastion.AuditAsync();
        Assert.Contains(audit, e => e.Type == "mfa.reset" && e.User == "rita" && e.Detail("actor") == "olga" && e.Detail("via") == "web");
        Assert.Contains(audit, e => e.Detail("action") == "user.enable" && e.User == "rita" && e.Detail("actor") == "olga");
    }

    [Fact]
    public async Task An_auditor_gets_403_on_every_admin_page_and_action_and_an_admin_post_without_the_token_is_refused()
    {
        var aud = await h.Bastion.AddOperatorAsync("adaud", "auditor", ConsoleHarness.Password);
        await h.Bastion.AddOperatorAsync("target1");
        using var client = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(client, "adaud", ConsoleHarness.Password, await Totp.CodeAsync(aud.Secret, Totp.CurrentStep()));
        string token = await ConsoleHttp.FormTokenAsync(client, "/sessions");
        int before = (await h.Bastion.AuditAsync()).Count(e => e.Type == "admin.change" || e.Type.StartsWith("mfa.", StringComparison.Ordinal));
        foreach (var path in new[] { "/admin", "/admin/users/target1" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"GET {path}: {(int)response.StatusCode}");
        }
        foreach (var path in new[] { "/admin/users", "/admin/users/target1/roles", "/admin/users/target1/keys/add", "/admin/users/target1/keys/remove",
                     "/admin/users/target1/enable", "/admin/users/target1/unlock", "/admin/users/target1/reset-mfa", "/users/target1/lock" })
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__af"] = token, ["name"] = "sneaky", ["roles"] = "admin", ["reason"] = "x", ["fingerprint"] = "SHA256:x",
            });
            using var response = await client.PostAsync(path, form);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"POST {path}: {(int)response.StatusCode}");
            Assert.Contains("for admins only", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(before, (await h.Bastion.AuditAsync()).Count(e => e.Type == "admin.change" || e.Type.StartsWith("mfa.", StringComparison.Ordinal)));
        Assert.NotEqual(0, (await h.Bastion.CliAsync("user", "show", "sneaky")).ExitCode);

        var boss = await h.Bastion.AddOperatorAsync("adboss", "admin", ConsoleHarness.Password);
        using var admin = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(admin, "adboss", ConsoleHarness.Password, await Totp.CodeAsync(boss.Secret, Totp.CurrentStep()));
        using var forged = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "forged", ["roles"] = "admin" });
        using var refused = await admin.PostAsync("/admin/users", forged);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery token is missing", await refused.Content.ReadAsStringAsync());
        Assert.NotEqual(0, (await h.Bastion.CliAsync("user", "show", "forged")).ExitCode);
    }

    private static string SecretOf(string uri)
    {
        var match = SecretParameter().Match(uri);
        Assert.True(match.Success, "no secret in " + uri);
        return match.Groups[1].Value;
    }

    [GeneratedRegex("[?&]secret=([A-Z2-7]+)")]
    private static partial Regex SecretParameter();
}
