using Fumidai.Gateway.Bastion;
using Fumidai.Web.Pages;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// SSH logins approved in the browser, end to end: Debian's OpenSSH client waits at the bastion's prompt while chromium signs
/// in through the real OpenID provider at <c>/approve</c>, enters the code, and approves or denies.
/// </summary>
[Collection(OidcCollection.Name)]
public sealed class SshApprovalTests(OidcHarness h) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = OidcHarness.Wait;
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _browser = await ConsoleBrowser.LaunchAsync(h.SpkiPins());
        await h.Bastion.EnsureBastionRunningAsync();
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public Task An_approved_login_opens_a_recorded_shell_and_its_code_is_refused_when_entered_again() =>
        _browser.RunAsync(h.BaseUri, "approve-yes", async page =>
        {
            var (terminal, code) = await h.ConnectForApprovalAsync("sam", "sam:root@web01");
            await using var owned = terminal;
            await OidcHarness.EnterCodeAsync(page, "sam", code);
            Assert.Equal("127.0.0.1", await page.InnerTextAsync("#approval-source"));
            Assert.Equal("web01", await page.InnerTextAsync("#approval-target"));
            Assert.Equal("root", await page.InnerTextAsync("#approval-login"));
            Assert.Equal("sam", await page.InnerTextAsync("#approval-user"));
            await page.ClickAsync("#approve-yes");
            await page.WaitForSelectorAsync("#approved");

            terminal.PressEnter();
            int at = await terminal.Ssh.WaitForAsync("# ", Wait);
            await terminal.Ssh.TypeAsync("echo APPROVED_$((6*7))\r");
            await terminal.Ssh.WaitForAsync("APPROVED_42", Wait, at);
            await terminal.Ssh.TypeAsync("exit\r");
            Assert.Equal(0, await terminal.Ssh.WaitForExitAsync(Wait));

            var login = await h.Bastion.WaitForAuditAsync(e => e.Type == "login" && e.User == "sam" && e.Detail("method") == "publickey+sso",
                "sam's approved SSH login");
            Assert.Equal("sam", login.Detail("approved_by"));
            var approval = await h.Bastion.WaitForAuditAsync(e => e.Type == "login.approval" && e.User == "sam" && e.Detail("decision") == "approved",
                "the approval");
            Assert.Equal("web01", approval.Target);
            Assert.Equal("success", approval.Outcome);
            var session = await h.Bastion.WaitForSessionAsync("sam", s => s.GetProperty("status").GetString() == "closed", "sam's session recorded");
            Assert.Contains("APPROVED_42", await h.Bastion.ExportAndCatAsync(session.GetProperty("id").GetString()!));

            // Once used, the code is nothing: the page refuses it like any wrong code.
            await page.GotoAsync("/approve");
            await OidcHarness.SubmitCodeAsync(page, code);
            Assert.Equal(ApprovePages.InvalidCode, await page.InnerTextAsync("#error"));
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.approval" && e.User == "sam" && e.Detail("decision") == "refused: code already used",
                "the reused code refused");

            // An operator signed in for approvals sees nothing else of the console.
            await page.GotoAsync("/sessions");
            Assert.Contains("/signin", page.Url);
        });

    [Fact]
    public Task One_approval_gets_a_login_certificate_that_then_logs_in_with_no_approval() =>
        _browser.RunAsync(h.BaseUri, "approve-cert", async page =>
        {
            var op = h.Users["sid"];
            string certificate;
            {
                var (terminal, code) = await h.ConnectForApprovalAsync("sid", "sid", "cert");
                await using var owned = terminal;
                await OidcHarness.EnterCodeAsync(page, "sid", code);
                await page.ClickAsync("#approve-yes");
                await page.WaitForSelectorAsync("#approved");
                terminal.PressEnter();
                Assert.Equal(0, await terminal.Ssh.WaitForExitAsync(Wait));
                certificate = terminal.Ssh.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ssh-ed25519-cert-v01@openssh.com ", StringComparison.Ordinal));
            }
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.certificate" && e.User == "sid", "the certificate issued after the approval");
            File.WriteAllText(op.KeyFile + "-cert.pub", certificate + "\n");
            try
            {
                // The certificate alone: an askpass that fails if anything is asked, so an approval prompt would fail the login.
                var result = await h.Bastion.SshExecAsync(op, "sid:web01", "echo BY_CERT_$((6*7))", code: null);
                Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output} {result.StandardError}");
                Assert.Contains("BY_CERT_42", result.Output);
                await h.Bastion.WaitForAuditAsync(e => e.Type == "login" && e.User == "sid" && e.Outcome == "success"
                    && e.Detail("method") == "certificate", "the login by certificate");
            }
            finally
            {
                File.Delete(op.KeyFile + "-cert.pub");
            }
        });

    [Fact]
    public Task A_denied_login_fails_at_the_terminal_with_a_clear_line() =>
        _browser.RunAsync(h.BaseUri, "approve-no", async page =>
        {
            var (terminal, code) = await h.ConnectForApprovalAsync("sam", "sam:web01");
            await using var owned = terminal;
            await OidcHarness.EnterCodeAsync(page, "sam", code);
            await page.ClickAsync("#approve-no");
            await page.WaitForSelectorAsync("#denied");

            terminal.PressEnter();
            Assert.Equal(255, await terminal.Ssh.WaitForExitAsync(Wait));
            Assert.Contains(BastionAuthenticator.DeniedNotice.TrimEnd(), terminal.Ssh.Error);
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.approval" && e.User == "sam" && e.Detail("decision") == "denied", "the denial");
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "sam" && e.Detail("reason") == "denied in the browser by sam",
                "the failed login");
        });

    [Fact]
    public async Task A_code_left_unapproved_past_its_lifetime_fails_the_login_with_a_clear_line()
    {
        var (terminal, _) = await h.ConnectForApprovalAsync("sid", "sid:web01");
        await using var owned = terminal;
        // Past the code's lifetime (and past Ssh:LoginGraceTime, which the approval extends).
        await Task.Delay(OidcHarness.ApprovalLifetime + TimeSpan.FromSeconds(2));
        terminal.PressEnter();
        Assert.Equal(255, await terminal.Ssh.WaitForExitAsync(Wait));
        Assert.Contains(BastionAuthenticator.ExpiredNotice.TrimEnd(), terminal.Ssh.Error);
        var expired = await h.Bastion.WaitForAuditAsync(e => e.Type == "login.approval" && e.User == "sid" && e.Detail("reason") == "approval code expired",
            "the expiry");
        Assert.Equal("failure", expired.Outcome);
    }

    [Fact]
    public Task Another_idp_user_cannot_approve_and_the_login_keeps_waiting() =>
        _browser.RunAsync(h.BaseUri, "approve-other", async page =>
        {
            var (terminal, code) = await h.ConnectForApprovalAsync("sam", "sam:web01");
            await using var owned = terminal;
            await OidcHarness.EnterCodeAsync(page, "sid", code);
            Assert.Equal(ApprovePages.InvalidCode, await page.InnerTextAsync("#error"));
            await h.Bastion.WaitForAuditAsync(e => e.Type == "login.approval" && e.User == "sid" && e.Detail("decision") == "refused: code of another user (sam)",
                "sid refused sam's code");

            terminal.PressEnter();
            string again = await terminal.WaitForPromptAsync(2, Wait);
            Assert.StartsWith($"(sam:web01@127.0.0.1) {BastionAuthenticator.NotYetPrefix}", again);
            Assert.Equal(code, ApprovalTerminal.CodeIn(again));
            Assert.False(terminal.Ssh.HasExited);
        });
}
