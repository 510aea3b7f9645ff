using System.Globalization;
using System.Runtime.CompilerServices;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Bastion;

/// <remarks>
/// The second factor of a role with <c>--auth sso</c>: instead of a TOTP prompt, a code to approve in the browser after a
/// sign-in through the organisation's IdP. The prompt is answered with Enter; the login goes on only once the same user
/// approved it, within the code's lifetime, for this connection.
/// </remarks>
public sealed partial class BastionAuthenticator
{
    public const string DeniedNotice = "Fumidai: the login was denied in the browser.\r\n";
    public const string ExpiredNotice = "Fumidai: the approval code expired before it was approved; connect again.\r\n";
    public const string NotApprovedNotice = "Fumidai: the login was not approved.\r\n";
    public const string NotYetPrefix = "Not approved yet. ";

    // Enter pressed before approving is asked again; this bounds the rounds of one attempt (the connection has its own bound).
    private const int MaxPendingRounds = 4;

    // A secret per connection, in memory only: the stored approval names its hash, so no other connection can use it.
    private readonly ConditionalWeakTable<AuthenticationContext, byte[]> _approvalSecrets = new();

    /// <summary>Browser approvals; null: roles with <c>--auth sso</c> fall back to TOTP (no IdP is configured).</summary>
    public LoginApprovals? Approvals { get; init; }

    /// <summary>The console's <c>/approve</c> page as operators reach it.</summary>
    public string ApprovalUrl { get; init; } = "";

    private async Task<bool> ApprovalRequiredAsync(UserRecord user, CancellationToken cancellationToken) =>
        Approvals is not null && await Approvals.RequiredForAsync(user, cancellationToken).ConfigureAwait(false);

    /// <summary>The prompt the operator sees at her terminal.</summary>
    public static string ApprovalPrompt(string url, string code) => $"Open {url} and enter {code}, then press Enter ";

    private async Task<AuthenticationDecision> ApprovalAsync(Attempt call, KeyboardInteractiveAttempt attempt, BastionLogin login,
        CancellationToken cancellationToken)
    {
        var approvals = Approvals!;
        var user = login.User;
        byte[] secret = _approvalSecrets.GetValue(call.Context, _ => LoginApprovals.NewConnectionSecret());
        var (code, expires) = await approvals.RequestAsync(user.Name, call.Address, login.Name.Target, login.Name.Login, secret, cancellationToken)
            .ConfigureAwait(false);
        // Her key is proven; signing in at the IdP takes longer than typing a code, so she gets the code's lifetime and a margin.
        call.Context.ExtendLoginGrace(approvals.Lifetime + TimeSpan.FromSeconds(15));
        string prompt = ApprovalPrompt(ApprovalUrl, code);
        for (int round = 0; ; round++)
        {
            try
            {
                await attempt.Prompter.PromptAsync("", "", [new KeyboardInteractivePrompt(prompt, Echo: true)], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or IOException)
            {
                // Nobody pressed Enter: the grace time (extended past the code's lifetime) ran out, or she hung up.
                string why = ex is OperationCanceledException && _clock.GetUtcNow() >= expires
                    ? "approval code expired unanswered (login grace time over)"
                    : ex is OperationCanceledException ? "login ended while waiting for approval" : "the client left while waiting for approval";
                await ApprovalFailedAsync(call, login, AuditTypes.LoginApproval, why, expires, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            var (state, record) = await approvals.CheckAsync(code, secret, cancellationToken).ConfigureAwait(false);
            switch (state)
            {
                case ApprovalState.Approved:
                    return await ApprovedAsync(call, login, record!, cancellationToken).ConfigureAwait(false);
                case ApprovalState.Pending when round + 1 < MaxPendingRounds:
                    prompt = NotYetPrefix + ApprovalPrompt(ApprovalUrl, code);
                    continue;
                case ApprovalState.Expired:
                    await ApprovalFailedAsync(call, login, AuditTypes.LoginApproval, "approval code expired", expires, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(SecondFactor) with { Notice = ExpiredNotice };
                case ApprovalState.Denied:
                    await ApprovalFailedAsync(call, login, AuditTypes.LoginFailure, "denied in the browser by " + record!.DecidedBy, expires, cancellationToken)
                        .ConfigureAwait(false);
                    // Her own refusal: no other method may go on with this login.
                    return AuthenticationDecision.Failure() with { Notice = DeniedNotice };
                default:
                    await ApprovalFailedAsync(call, login, AuditTypes.LoginFailure, state == ApprovalState.Pending ? "not approved" : "approval not usable",
                        expires, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(SecondFactor) with { Notice = NotApprovedNotice };
            }
        }
    }

    private Task<AuthenticationDecision> ApprovedAsync(Attempt call, BastionLogin login, LoginApprovalRecord record,
        CancellationToken cancellationToken) =>
        SecondFactorPassedAsync(call, login, new Dictionary<string, string>
        {
            ["method"] = login.FirstFactor + "+sso",
            ["key"] = login.KeyFingerprint ?? "",
            ["approved_by"] = record.DecidedBy ?? "",
            ["approved"] = record.Decided?.ToString("u", CultureInfo.InvariantCulture) ?? "",
        }, null, cancellationToken);

    private Task<AuditEvent> ApprovalFailedAsync(Attempt call, BastionLogin login, string type, string reason, DateTimeOffset expires,
        CancellationToken cancellationToken) =>
        _audit.RecordAsync(type, AuditOutcome.Failure, login.User.Name, call.Address, login.Name.Target, new Dictionary<string, string>
        {
            ["method"] = login.FirstFactor + "+sso",
            ["reason"] = reason,
            ["expires"] = expires.ToString("u", CultureInfo.InvariantCulture),
        }, cancellationToken);
}
