using System.Text.RegularExpressions;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The keyboard-interactive step of a role with <c>--auth sso</c>, driven prompt by prompt.</summary>
public sealed partial class LoginApprovalTests
{
    [GeneratedRegex("^Open https://bastion.test:8443/approve and enter ([A-Z2-9]{4}-[A-Z2-9]{4}), then press Enter $")]
    private static partial Regex PromptShape();

    /// <summary>Answers every prompt with Enter after running the step given for that prompt (approving in the "browser").</summary>
    private sealed class BrowserPrompter(params Func<string, Task>[] steps) : IKeyboardInteractivePrompter
    {
        public List<string> Prompts { get; } = [];

        public async ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<KeyboardInteractivePrompt> prompts,
            CancellationToken cancellationToken)
        {
            Prompts.Add(prompts.Single().Prompt);
            Assert.True(prompts.Single().Echo);
            string code = Regex.Match(prompts.Single().Prompt, "[A-Z2-9]{4}-[A-Z2-9]{4}").Value;
            if (Prompts.Count <= steps.Length) await steps[Prompts.Count - 1](code);
            return [""];
        }
    }

    private async Task<(AuthenticationDecision Decision, BrowserPrompter Prompter)> LoginAsync(string user, SshPublicKey key,
        params Func<string, Task>[] steps)
    {
        var connection = AuthenticatorRig.Connection("192.0.2.7");
        var first = await _authenticator.AuthenticateAsync(new PublicKeyAttempt($"{user}:root@web01", key, key.KeyType), connection, CancellationToken.None);
        Assert.Equal(AuthenticationOutcome.PartialSuccess, first.Outcome);
        var prompter = new BrowserPrompter(steps);
        var decision = await _authenticator.AuthenticateAsync(new KeyboardInteractiveAttempt($"{user}:root@web01", "", prompter), connection,
            CancellationToken.None);
        return (decision, prompter);
    }

    /// <summary>A user as the IdP creates her at first sign-in: a key, a role, no TOTP secret.</summary>
    private async Task<SshPublicKey> AddUserWithoutTotpAsync(string name)
    {
        Assert.True(await _rig.Store.AddUserAsync(new UserRecord(name, ["ops"], false, null, null, DateTimeOffset.UtcNow)));
        var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey;
        Assert.True(await _rig.Store.AddUserKeyAsync(new UserKeyRecord(name, key.Fingerprint, key.ToOpenSsh(), "")));
        return key;
    }

    private Func<string, Task> Decide(string approver, bool approve) => async code =>
    {
        var (record, refusal) = await _approvals.FindForApproverAsync(code, approver, CancellationToken.None);
        Assert.True(record is not null, refusal);
        Assert.Equal(("192.0.2.7", "web01", "root"), (record.Source, record.Target, record.Login));
        Assert.True(await _approvals.DecideAsync(code, approver, approve, CancellationToken.None));
    };

    [Fact]
    public async Task A_user_of_an_sso_role_without_totp_is_shown_the_url_and_code_and_gets_in_once_she_approves()
    {
        var key = await AddUserWithoutTotpAsync("ann");
        var (decision, prompter) = await LoginAsync("ann", key, Decide("ann", approve: true));
        Assert.Equal(AuthenticationOutcome.Success, decision.Outcome);
        Assert.Matches(PromptShape(), prompter.Prompts.Single());
        var login = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.Login);
        Assert.Equal("publickey+sso", login.Details["method"]);
        Assert.Equal("ann", login.Details["approved_by"]);
    }

    [Fact]
    public async Task Enter_before_the_approval_asks_again_with_the_same_code()
    {
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        var (decision, prompter) = await LoginAsync("ann", key, _ => Task.CompletedTask, Decide("ann", approve: true));
        Assert.Equal(AuthenticationOutcome.Success, decision.Outcome);
        Assert.Equal(2, prompter.Prompts.Count);
        Assert.StartsWith(BastionAuthenticator.NotYetPrefix, prompter.Prompts[1]);
        Assert.EndsWith(prompter.Prompts[0], prompter.Prompts[1]);
    }

    [Fact]
    public async Task A_denied_login_fails_with_a_clear_line_and_no_method_left()
    {
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        var (decision, _) = await LoginAsync("ann", key, Decide("ann", approve: false));
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Empty(decision.NextMethods);
        Assert.Equal(BastionAuthenticator.DeniedNotice, decision.Notice);
        var failure = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.LoginFailure);
        Assert.Equal("denied in the browser by ann", failure.Details["reason"]);
    }

    [Fact]
    public async Task An_expired_code_fails_with_a_clear_line_and_is_audited()
    {
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        var (decision, _) = await LoginAsync("ann", key, _ =>
        {
            _rig.Clock.Advance(TimeSpan.FromMinutes(2));
            return Task.CompletedTask;
        });
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Equal(BastionAuthenticator.ExpiredNotice, decision.Notice);
        var expired = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.LoginApproval);
        Assert.Equal("approval code expired", expired.Details["reason"]);
    }

    [Fact]
    public async Task Another_user_s_approval_does_not_count_and_the_login_waits_for_her_own()
    {
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        await _rig.AddUserAsync("bob", withPassword: false);
        var (decision, prompter) = await LoginAsync("ann", key,
            async code => Assert.False(await _approvals.DecideAsync(code, "bob", approve: true, CancellationToken.None)),
            _ => Task.CompletedTask, _ => Task.CompletedTask, _ => Task.CompletedTask);
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        Assert.Equal(BastionAuthenticator.NotApprovedNotice, decision.Notice);
        Assert.Equal(4, prompter.Prompts.Count);
    }

    [Fact]
    public async Task A_user_of_a_totp_role_still_gets_the_code_prompt()
    {
        await _rig.Store.SetRoleAuthAsync("ops", RoleAuthMethods.Totp);
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        var connection = AuthenticatorRig.Connection();
        await _authenticator.AuthenticateAsync(new PublicKeyAttempt("ann", key, key.KeyType), connection, CancellationToken.None);
        var prompter = new AuthenticatorRig.ScriptedPrompter("000000");
        await _authenticator.AuthenticateAsync(new KeyboardInteractiveAttempt("ann", "", prompter), connection, CancellationToken.None);
        Assert.Equal(BastionAuthenticator.CodePrompt, prompter.Prompts.Single().Prompt);
    }
}
