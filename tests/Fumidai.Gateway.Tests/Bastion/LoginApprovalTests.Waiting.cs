using Fumidai.Gateway.Audit;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>A login that ends while its holder has not answered the approval prompt: the code ran out with the grace time, or she left.</summary>
public sealed partial class LoginApprovalTests
{
    /// <summary>Never answers: waits at the prompt until the login is cancelled, or fails as a client that hung up would.</summary>
    private sealed class SilentPrompter(Action atPrompt, bool hangUp) : IKeyboardInteractivePrompter
    {
        public async ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<KeyboardInteractivePrompt> prompts,
            CancellationToken cancellationToken)
        {
            atPrompt();
            if (hangUp) throw new SshConnectionLostException("the client closed the connection");
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [""];
        }
    }

    [Theory]
    [InlineData(false, "approval code expired unanswered (login grace time over)")]
    [InlineData(true, "the client left while waiting for approval")]
    public async Task A_login_that_ends_at_the_approval_prompt_is_audited_with_why(bool hangUp, string reason)
    {
        var (key, _) = await _rig.AddUserAsync("ann", withPassword: false);
        var connection = AuthenticatorRig.Connection("192.0.2.7");
        Assert.Equal(AuthenticationOutcome.PartialSuccess,
            (await _authenticator.AuthenticateAsync(new PublicKeyAttempt("ann:root@web01", key, key.KeyType), connection, CancellationToken.None)).Outcome);
        using var grace = new CancellationTokenSource();
        // The server's grace time runs out after the code's lifetime: the clock passes it, then the login is cancelled.
        var prompter = new SilentPrompter(() =>
        {
            _rig.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(15));
            grace.CancelAfter(TimeSpan.FromMilliseconds(50));
        }, hangUp);

        var attempt = _authenticator.AuthenticateAsync(new KeyboardInteractiveAttempt("ann:root@web01", "", prompter), connection, grace.Token);

        if (hangUp) await Assert.ThrowsAsync<SshConnectionLostException>(async () => await attempt);
        else await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await attempt);
        var ended = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.LoginApproval);
        Assert.Equal((AuditOutcome.Failure, "ann", "web01", reason), (ended.Outcome, ended.User, ended.Target, ended.Details["reason"]));
    }
}
