using System.Text.Json;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// Leavers found without them: OpenSSH sessions of users approved through the real IdP stay open until the IdP forgets one;
/// <c>fumidai user sync</c> (or <c>serve</c>'s periodic check) then disables her and ends her session with the reason on her
/// terminal, while users the IdP still knows keep theirs, and an IdP that cannot be asked changes nobody.
/// </summary>
[Collection(OidcCollection.Name)]
public sealed class LeaverSyncTests(OidcHarness h) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = OidcHarness.Wait;
    private static readonly TimeSpan Notice = TimeSpan.FromSeconds(20);
    private const string LeftNotice = "[fumidai] session closed: access revoked: the account is disabled (left the identity provider)";
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _browser = await ConsoleBrowser.LaunchAsync(h.SpkiPins());
        await h.Bastion.EnsureBastionRunningAsync();
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    /// <summary>An approved OpenSSH shell of <paramref name="user"/> on web01 (her refresh token kept by the approval's sign-in).</summary>
    private async Task<ApprovalTerminal> ApprovedShellAsync(string user)
    {
        var (terminal, code) = await h.ConnectForApprovalAsync(user, $"{user}:root@web01");
        try
        {
            await _browser.RunAsync(h.BaseUri, "leaver-approve-" + user, async page =>
            {
                await OidcHarness.EnterCodeAsync(page, user, code);
                await page.ClickAsync("#approve-yes");
                await page.WaitForSelectorAsync("#approved");
            });
            terminal.PressEnter();
            int at = await terminal.Ssh.WaitForAsync("# ", Wait);
            await terminal.Ssh.TypeAsync($"echo OPEN_{user}_$((6*7))\r");
            await terminal.Ssh.WaitForAsync($"OPEN_{user}_42", Wait, at);
            return terminal;
        }
        catch
        {
            await terminal.DisposeAsync();
            throw;
        }
    }

    private static Dictionary<string, JsonElement> ByUser(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("user").GetString()!, e => e.Clone());

    private static Dictionary<string, IdpUser> UsersWith(Action<Dictionary<string, IdpUser>> change)
    {
        var users = OidcHarness.InitialUsers();
        change(users);
        return users;
    }

    private async Task<string> StateOfAsync(string user) =>
        JsonDocument.Parse((await h.Bastion.MustAsync("user", "show", user, "--json")).Output).RootElement.GetProperty("state").GetString()!;

    [Fact]
    public async Task A_user_removed_at_the_idp_loses_her_live_ssh_session_at_user_sync_and_one_still_there_keeps_hers()
    {
        await using var lea = await ApprovedShellAsync("lea");
        await using var una = await ApprovedShellAsync("una");
        h.Idp.SetUsers(UsersWith(u => u.Remove("lea")));
        try
        {
            // A dry run says what would happen and does it not.
            var dry = await h.UserSyncAsync(null, "--dry-run", "--json");
            Assert.True(dry.ExitCode == 0, dry.Error + dry.Output);
            var planned = ByUser(dry.Output);
            Assert.Equal("disabled", planned["lea"].GetProperty("status").GetString());
            Assert.Equal("unchanged", planned["una"].GetProperty("status").GetString());
            Assert.Equal("enabled", await StateOfAsync("lea"));
            Assert.False(lea.Ssh.HasExited);

            int before = lea.Ssh.Output.Length;
            var sync = await h.UserSyncAsync(null, "--json");
            Assert.True(sync.ExitCode == 0, sync.Error + sync.Output);
            var done = ByUser(sync.Output);
            Assert.Equal("disabled", done["lea"].GetProperty("status").GetString());
            Assert.Equal("unchanged", done["una"].GetProperty("status").GetString());
            Assert.Equal("ssoops", string.Join(',', done["una"].GetProperty("roles").EnumerateArray().Select(r => r.GetString())));

            // Her live session ends within seconds, and she reads why.
            await lea.Ssh.WaitForAsync(LeftNotice, Notice, before);
            Assert.NotEqual(0, await lea.Ssh.WaitForExitAsync(Wait));
            Assert.Equal("disabled", await StateOfAsync("lea"));

            var left = await h.Bastion.WaitForAuditAsync(e => e.Type == "idp.sync" && e.User == "lea" && e.Detail("result") == "user-left", "lea left");
            Assert.Contains("invalid_grant", left.Detail("reason"));
            var disabled = await h.Bastion.WaitForAuditAsync(e => e.Type == "admin.change" && e.User == "lea" && e.Detail("action") == "user.disable",
                "lea disabled");
            Assert.Equal("left the identity provider", disabled.Detail("reason"));
            var end = await h.Bastion.WaitForAuditAsync(e => e.Type == "connection.end" && e.User == "lea", "lea's connection ended");
            Assert.Equal("failure", end.Outcome);
            await h.Bastion.WaitForAuditAsync(e => e.Type == "idp.sync" && e.User == "una" && e.Detail("result") == "user-synced", "una synced");
            Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Type == "idp.sync" && e.Details.Values.Any(v => v.Contains("refresh_token", StringComparison.Ordinal)));

            // The user still at the IdP keeps her shell.
            int at = una.Ssh.Output.Length;
            await una.Ssh.TypeAsync("echo STILL_$((6*7))\r");
            await una.Ssh.WaitForAsync("STILL_42", Wait, at);
            Assert.False(una.Ssh.HasExited);

            // Nothing is left to ask about her: a second sync names only una.
            var again = await h.UserSyncAsync(null, "--json");
            Assert.True(again.ExitCode == 0, again.Error + again.Output);
            Assert.False(ByUser(again.Output).ContainsKey("lea"));
        }
        finally
        {
            h.Idp.SetUsers(OidcHarness.InitialUsers());
            await h.Bastion.CliAsync("user", "enable", "lea");
        }
    }

    [Fact]
    public Task Changed_groups_rewrite_her_roles_at_sync_and_an_unreachable_idp_changes_nobody() =>
        _browser.RunAsync(h.BaseUri, "leaver-rosa", async page =>
        {
            var help = await h.Bastion.CliAsync("user", "sync", "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("--dry-run", help.Output);

            await OidcHarness.SignInThroughIdpAsync(page, "rosa");
            await h.WaitForSessionsAsync(page);
            try
            {
                // She is gone at the IdP, but the bastion cannot reach it: nobody is changed, and the command says so.
                h.Idp.SetUsers(UsersWith(u => u.Remove("rosa")));
                var unreachable = await h.UserSyncAsync(
                    new Dictionary<string, string> { ["FUMIDAI__Oidc__Authority"] = $"https://127.0.0.1:{BastionProcess.FreePort()}" }, "rosa", "--json");
                Assert.Equal(1, unreachable.ExitCode);
                Assert.Contains("could not be checked against the identity provider", unreachable.Error);
                var failed = ByUser(unreachable.Output)["rosa"];
                Assert.Equal("error", failed.GetProperty("status").GetString());
                Assert.Contains("cannot reach the identity provider", failed.GetProperty("reason").GetString());
                Assert.Equal("enabled", await StateOfAsync("rosa"));
                var audited = await h.Bastion.WaitForAuditAsync(e => e.Type == "idp.sync" && e.User == "rosa" && e.Detail("result") == "sync-failed",
                    "rosa's failed sync");
                Assert.Equal("failure", audited.Outcome);

                // Her groups changed: her roles follow, and the change is audited.
                h.Idp.SetUsers(UsersWith(u => u["rosa"] = new IdpUser(OidcHarness.IdpPassword, ["fumidai-auditors", "fumidai-ops"])));
                var sync = await h.UserSyncAsync(null, "rosa");
                Assert.True(sync.ExitCode == 0, sync.Error + sync.Output);
                Assert.Matches(@"rosa\s+roles-changed\s+auditor,ops", sync.Output);
                var show = JsonDocument.Parse((await h.Bastion.MustAsync("user", "show", "rosa", "--json")).Output).RootElement;
                Assert.Equal(["auditor", "ops"], show.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order());
                await h.Bastion.WaitForAuditAsync(e => e.Type == "idp.sync" && e.User == "rosa" && e.Detail("result") == "roles-changed", "rosa's roles");
                await h.Bastion.WaitForAuditAsync(e => e.Type == "admin.change" && e.User == "rosa" && e.Detail("action") == "user.set"
                    && e.Detail("roles") == "auditor,ops", "rosa's roles set");
            }
            finally
            {
                h.Idp.SetUsers(OidcHarness.InitialUsers());
            }
        });

    [Fact]
    public async Task The_periodic_check_of_serve_ends_a_leavers_live_session_by_itself()
    {
        await RestartBastionAsync("2s");
        try
        {
            await using var pia = await ApprovedShellAsync("pia");
            int before = pia.Ssh.Output.Length;
            h.Idp.SetUsers(UsersWith(u => u.Remove("pia")));
            await pia.Ssh.WaitForAsync(LeftNotice, Notice, before);
            Assert.NotEqual(0, await pia.Ssh.WaitForExitAsync(Wait));
            var left = await h.Bastion.WaitForAuditAsync(e => e.Type == "idp.sync" && e.User == "pia" && e.Detail("result") == "user-left", "pia left");
            Assert.Equal("idp-sync", left.Detail("actor"));
            Assert.Equal("disabled", await StateOfAsync("pia"));
        }
        finally
        {
            h.Idp.SetUsers(OidcHarness.InitialUsers());
            await h.Bastion.CliAsync("user", "enable", "pia");
            await RestartBastionAsync(null);
        }
    }

    [Fact]
    public Task A_leaver_waiting_at_the_approval_prompt_cannot_approve_whether_removed_at_the_idp_or_her_group_gone() =>
        _browser.RunAsync(h.BaseUri, "leaver-approval", async page =>
        {
            var (terminal, _) = await h.ConnectForApprovalAsync("gus", "gus:root@web01");
            await using var owned = terminal;
            try
            {
                // Removed at the IdP: its own form refuses her, so nothing reaches the bastion.
                h.Idp.SetUsers(UsersWith(u => u.Remove("gus")));
                await SignInToApproveAsync(page, "gus");
                await page.WaitForSelectorAsync("#idp-message");
                Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Type == "login" && e.User == "gus");

                // Back, but in no mapped group: refused at the callback and disabled, as at a console sign-in.
                h.Idp.SetUsers(UsersWith(u => u["gus"] = new IdpUser(OidcHarness.IdpPassword, ["alumni"])));
                await SignInToApproveAsync(page, "gus");
                await page.WaitForSelectorAsync("#error");
                Assert.Equal(Fumidai.Web.Auth.OidcSignIn.NoMappedRole, await page.InnerTextAsync("#error"));
                var disabled = await h.Bastion.WaitForAuditAsync(e => e.Type == "admin.change" && e.User == "gus" && e.Detail("action") == "user.disable",
                    "gus disabled");
                Assert.Equal("no role at the identity provider", disabled.Detail("reason"));
                var refused = await h.Bastion.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "gus" && e.Detail("method") == "oidc",
                    "gus refused");
                Assert.Equal("approve", refused.Detail("purpose"));

                // Her login cannot be approved any more: it only waits.
                terminal.PressEnter();
                Assert.StartsWith("(gus:root@web01@127.0.0.1) Not approved yet.", await terminal.WaitForPromptAsync(2, Wait));
                Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Type == "login" && e.User == "gus");
            }
            finally
            {
                h.Idp.SetUsers(OidcHarness.InitialUsers());
                await h.Bastion.CliAsync("user", "enable", "gus");
            }
        });

    private static async Task SignInToApproveAsync(IPage page, string user)
    {
        await page.GotoAsync("/approve");
        await page.ClickAsync("#approve-signin");
        await page.WaitForSelectorAsync("#idp-user");
        await page.FillAsync("#idp-user", user);
        await page.FillAsync("#idp-password", OidcHarness.IdpPassword);
        await page.ClickAsync("#idp-submit");
    }

    private async Task RestartBastionAsync(string? interval)
    {
        await h.Bastion.Bastion.DisposeAsync();
        h.Bastion.BastionEnvironment["FUMIDAI__Oidc__SyncInterval"] = interval ?? "off";
        await h.Bastion.StartBastionAsync();
        Assert.True(await h.Bastion.Bastion.WaitForLogAsync($"console listening on https://127.0.0.1:{h.WebPort}/", Wait), h.Bastion.Bastion.Log);
    }
}
