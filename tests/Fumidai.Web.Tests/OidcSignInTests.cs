using Fumidai.Web.Auth;
using Fumidai.Web.Pages;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>Console sign-in through a real OpenID provider in chromium: role mapping, first sign-in creation, refusals, tampering, break-glass.</summary>
[Collection(OidcCollection.Name)]
public sealed class OidcSignInTests(OidcHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h.SpkiPins());

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public Task An_idp_admin_is_created_at_first_sign_in_with_the_mapped_role_and_reaches_the_admin_page() =>
        _browser.RunAsync(h.BaseUri, "oidc-admin", async page =>
        {
            await OidcHarness.SignInThroughIdpAsync(page, "ada");
            await h.WaitForSessionsAsync(page);
            Assert.Contains("ada (admin)", await page.InnerTextAsync("header"));
            var admin = await page.GotoAsync("/admin");
            Assert.Equal(200, admin!.Status);

            var created = await h.Bastion.WaitForAuditAsync(e => e.Type == "admin.change" && e.User == "ada" && e.Detail("action") == "user.add",
                "ada created at her first sign-in");
            Assert.Equal("oidc", created.Detail("actor"));
            Assert.Equal("admin", created.Detail("roles"));
            var login = await h.Bastion.WaitForAuditAsync(e => e.Type == "login" && e.User == "ada", "ada's sign-in");
            Assert.Equal("oidc", login.Detail("method"));
            Assert.Equal("admin", login.Detail("role"));
            var show = await h.Bastion.MustAsync("user", "show", "ada", "--json");
            Assert.Contains("\"admin\"", show.Output);
        });

    [Fact]
    public Task An_idp_auditor_gets_the_auditor_role_and_a_403_on_admin_pages() =>
        _browser.RunAsync(h.BaseUri, "oidc-auditor", async page =>
        {
            await OidcHarness.SignInThroughIdpAsync(page, "aud");
            await h.WaitForSessionsAsync(page);
            Assert.Contains("aud (auditor)", await page.InnerTextAsync("header"));
            var admin = await page.GotoAsync("/admin");
            Assert.Equal(403, admin!.Status);
        });

    [Fact]
    public Task A_user_outside_every_mapped_group_is_refused_and_not_created() =>
        _browser.RunAsync(h.BaseUri, "oidc-unmapped", async page =>
        {
            await OidcHarness.SignInThroughIdpAsync(page, "ollie");
            await page.WaitForSelectorAsync("#error");
            Assert.Equal(OidcSignIn.NoMappedRole, await page.InnerTextAsync("#error"));
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
            var refused = await h.Bastion.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "ollie", "ollie refused");
            Assert.Equal("no IdP group maps to a role", refused.Detail("reason"));
            Assert.NotEqual(0, (await h.Bastion.CliAsync("user", "show", "ollie")).ExitCode);
        });

    [Fact]
    public Task A_wrong_idp_password_never_reaches_the_console() =>
        _browser.RunAsync(h.BaseUri, "oidc-wrong-password", async page =>
        {
            await OidcHarness.SignInThroughIdpAsync(page, "aud", "not the password");
            Assert.Equal("Wrong user or password.", await page.InnerTextAsync("#idp-message"));
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
        });

    [Fact]
    public Task A_callback_with_a_tampered_state_is_refused_and_the_untampered_one_then_signs_in() =>
        _browser.RunAsync(h.BaseUri, "oidc-state", async page =>
        {
            // Playwright does not route the redirects of a navigation; chromium's own interception (CDP Fetch) sees each of them.
            // It changes the state the IdP sends back, as someone between the browser and the console would.
            var cdp = await page.Context.NewCDPSessionAsync(page);
            string? original = null;
            cdp.Event("Fetch.requestPaused").OnEvent += async (_, e) =>
            {
                string id = e!.Value.GetProperty("requestId").GetString()!;
                original = e.Value.GetProperty("request").GetProperty("url").GetString()!;
                var uri = new Uri(original);
                var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
                string state = query["state"]!;
                query["state"] = (state[0] == 'A' ? "B" : "A") + state[1..];
                await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = id, ["url"] = uri.GetLeftPart(UriPartial.Path) + "?" + query });
            };
            await cdp.SendAsync("Fetch.enable", new Dictionary<string, object>
            {
                ["patterns"] = new[] { new Dictionary<string, object> { ["urlPattern"] = "*/signin-oidc?*", ["requestStage"] = "Request" } },
            });
            await OidcHarness.SignInThroughIdpAsync(page, "tampa");
            await page.WaitForSelectorAsync("#error");
            await cdp.SendAsync("Fetch.disable");
            Assert.NotNull(original);
            Assert.Equal(OidcCallback.Failed, await page.InnerTextAsync("#error"));
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.failure" && e.Detail("method") == "oidc" && e.Detail("reason").StartsWith("IdP callback refused", StringComparison.Ordinal),
                "the tampered callback refused");
            Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Type == "login" && e.User == "tampa");

            // The same answer with the state the console issued still works: the state alone made the difference.
            await page.GotoAsync(original!);
            await h.WaitForSessionsAsync(page);
            Assert.Contains("tampa (admin)", await page.InnerTextAsync("header"));
        });

    [Fact]
    public Task A_leaver_whose_groups_no_longer_map_is_disabled_at_her_next_sign_in_and_her_signed_in_console_ends() =>
        _browser.RunAsync(h.BaseUri, "oidc-leaver", async page =>
        {
            await OidcHarness.SignInThroughIdpAsync(page, "leaver");
            await h.WaitForSessionsAsync(page);
            Assert.Contains("leaver (auditor)", await page.InnerTextAsync("header"));

            var users = OidcHarness.InitialUsers();
            users["leaver"] = new IdpUser(OidcHarness.IdpPassword, ["alumni"]);
            h.Idp.SetUsers(users);
            try
            {
                await _browser.RunAsync(h.BaseUri, "oidc-leaver-again", async again =>
                {
                    await OidcHarness.SignInThroughIdpAsync(again, "leaver");
                    await again.WaitForSelectorAsync("#error");
                    Assert.Equal(OidcSignIn.NoMappedRole, await again.InnerTextAsync("#error"));
                });
            }
            finally
            {
                h.Idp.SetUsers(OidcHarness.InitialUsers());
            }
            var disabled = await h.Bastion.WaitForAuditAsync(e => e.Type == "admin.change" && e.User == "leaver" && e.Detail("action") == "user.disable",
                "leaver disabled");
            Assert.Equal("oidc", disabled.Detail("actor"));
            Assert.Equal("no role at the identity provider", disabled.Detail("reason"));
            // Her first browser's sign-in ends at its next request: the console checks the user's state on every request.
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
        });

    [Fact]
    public Task Password_sign_in_is_off_for_everyone_but_the_break_glass_admin_whom_the_idp_cannot_touch() =>
        _browser.RunAsync(h.BaseUri, "oidc-break-glass", async page =>
        {
            // Someone named like her at the IdP, in no mapped group, neither signs in nor disables her.
            await OidcHarness.SignInThroughIdpAsync(page, "glass");
            await page.WaitForSelectorAsync("#error");
            Assert.Equal(OidcSignIn.BreakGlass, await page.InnerTextAsync("#error"));

            long step = Totp.CurrentStep();
            await ConsoleBrowser.SignInAsync(page, "localadm", OidcHarness.Password, await Totp.CodeAsync(h.Users["localadm"].Secret, step));
            Assert.Equal(SignInPages.LocalSignInOff, await page.InnerTextAsync("#error"));
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);

            await ConsoleBrowser.SignInAsync(page, "glass", OidcHarness.Password, await Totp.CodeAsync(h.Users["glass"].Secret, step));
            Assert.EndsWith("/sessions", page.Url);
            Assert.Contains("glass (admin)", await page.InnerTextAsync("header"));
            var refused = await h.Bastion.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "localadm" && e.Detail("method") == "oidc",
                "localadm refused the form");
            Assert.Contains("password sign-in is off", refused.Detail("reason"));
        });
}
