using System.Text;
using System.Text.RegularExpressions;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Authentication;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>
/// Approval codes and the keyboard-interactive step that waits for them: random codes stored only hashed, two-minute expiry,
/// single use, bound to the connection that asked and to its own user; the prompt, the retry before approval, the refusals.
/// </summary>
public sealed partial class LoginApprovalTests : IAsyncLifetime
{
    private AuthenticatorRig _rig = null!;
    private LoginApprovals _approvals = null!;
    private BastionAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _rig = await AuthenticatorRig.CreateAsync();
        _approvals = new LoginApprovals(_rig.Store, LoginApprovals.DefaultLifetime, "node-a", _rig.Clock);
        _authenticator = new BastionAuthenticator(_rig.Store, _rig.Secrets, _rig.Audit, new SourceThrottle(1000, TimeSpan.FromMinutes(5)), 10,
            TimeSpan.FromMinutes(30), NullLogger.Instance, _rig.Clock) { Approvals = _approvals, ApprovalUrl = "https://bastion.test:8443/approve" };
        await _rig.Store.SetRoleAuthAsync("ops", RoleAuthMethods.Sso);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [GeneratedRegex("^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")]
    private static partial Regex CodeShape();

    [Fact]
    public async Task Codes_are_random_from_a_32_letter_alphabet_and_the_store_holds_only_their_hash()
    {
        var codes = Enumerable.Range(0, 200).Select(_ => LoginApprovals.NewCode()).ToList();
        Assert.All(codes, c => Assert.Matches(CodeShape(), c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(32, LoginApprovals.Alphabet.Distinct().Count());

        var (code, _) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", LoginApprovals.NewConnectionSecret(), CancellationToken.None);
        var stored = await _rig.Store.GetLoginApprovalAsync(LoginApprovals.Hash(code)!);
        Assert.NotNull(stored);
        string row = Convert.ToHexString(stored.CodeHash) + Encoding.Latin1.GetString(stored.CodeHash) + stored;
        Assert.DoesNotContain(code.Replace("-", ""), row);
        Assert.DoesNotContain(Convert.ToHexString(Encoding.ASCII.GetBytes(code.Replace("-", ""))), row);
    }

    [Fact]
    public void A_typed_code_matches_in_any_case_with_or_without_the_dash_and_a_code_one_letter_off_does_not()
    {
        string code = "ABCD-EFGH";
        Assert.Equal(LoginApprovals.Hash(code), LoginApprovals.Hash(" abcd efgh"));
        Assert.Equal(LoginApprovals.Hash(code), LoginApprovals.Hash("ABCDEFGH"));
        Assert.NotEqual(LoginApprovals.Hash(code), LoginApprovals.Hash("ABCD-EFGJ"));
        Assert.Null(LoginApprovals.Hash("ABCD-EFG"));
        Assert.Null(LoginApprovals.Hash("ABCD-EFGHJ"));
        Assert.Null(LoginApprovals.Hash("ABCD-EFG0"));
        Assert.Null(LoginApprovals.Hash(new string('A', 33)));
        Assert.Null(LoginApprovals.Hash(null));
    }

    [Fact]
    public async Task An_approved_code_lets_its_own_connection_in_once_and_is_then_spent()
    {
        byte[] connection = LoginApprovals.NewConnectionSecret();
        var (code, _) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", connection, CancellationToken.None);
        Assert.Equal(ApprovalState.Pending, (await _approvals.CheckAsync(code, connection, CancellationToken.None)).State);
        Assert.True(await _approvals.DecideAsync(code.ToLowerInvariant(), "ann", approve: true, CancellationToken.None));

        var (state, record) = await _approvals.CheckAsync(code, connection, CancellationToken.None);
        Assert.Equal(ApprovalState.Approved, state);
        Assert.Equal("ann", record!.DecidedBy);
        Assert.Equal(ApprovalState.Invalid, (await _approvals.CheckAsync(code, connection, CancellationToken.None)).State);
        Assert.Equal("code already used", (await _approvals.FindForApproverAsync(code, "ann", CancellationToken.None)).Refusal);
        Assert.False(await _approvals.DecideAsync(code, "ann", approve: true, CancellationToken.None));
    }

    [Fact]
    public async Task Another_connection_cannot_use_an_approval_and_the_one_that_asked_still_can()
    {
        byte[] connection = LoginApprovals.NewConnectionSecret();
        var (code, _) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", connection, CancellationToken.None);
        Assert.True(await _approvals.DecideAsync(code, "ann", approve: true, CancellationToken.None));
        Assert.Equal(ApprovalState.Invalid, (await _approvals.CheckAsync(code, LoginApprovals.NewConnectionSecret(), CancellationToken.None)).State);
        Assert.Equal(ApprovalState.Approved, (await _approvals.CheckAsync(code, connection, CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_code_expires_after_two_minutes_and_can_then_be_neither_approved_nor_used()
    {
        byte[] connection = LoginApprovals.NewConnectionSecret();
        var (code, expires) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", connection, CancellationToken.None);
        Assert.Equal(_rig.Clock.GetUtcNow() + TimeSpan.FromMinutes(2), expires);
        var (approvedLate, _) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", connection, CancellationToken.None);
        _rig.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.NotNull((await _approvals.FindForApproverAsync(code, "ann", CancellationToken.None)).Record);
        Assert.True(await _approvals.DecideAsync(approvedLate, "ann", approve: true, CancellationToken.None));
        _rig.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("code expired", (await _approvals.FindForApproverAsync(code, "ann", CancellationToken.None)).Refusal);
        Assert.False(await _approvals.DecideAsync(code, "ann", approve: true, CancellationToken.None));
        Assert.Equal(ApprovalState.Expired, (await _approvals.CheckAsync(code, connection, CancellationToken.None)).State);
        Assert.Equal(ApprovalState.Expired, (await _approvals.CheckAsync(approvedLate, connection, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Only_the_login_s_own_user_may_see_or_decide_it_and_an_unknown_code_is_refused()
    {
        var (code, _) = await _approvals.RequestAsync("ann", "192.0.2.7", "web01", "root", LoginApprovals.NewConnectionSecret(), CancellationToken.None);
        Assert.Equal("code of another user (ann)", (await _approvals.FindForApproverAsync(code, "bob", CancellationToken.None)).Refusal);
        Assert.False(await _approvals.DecideAsync(code, "bob", approve: true, CancellationToken.None));
        Assert.Equal("unknown code", (await _approvals.FindForApproverAsync(LoginApprovals.NewCode(), "ann", CancellationToken.None)).Refusal);
        Assert.Equal("not a code", (await _approvals.FindForApproverAsync("x", "ann", CancellationToken.None)).Refusal);
        Assert.NotNull((await _approvals.FindForApproverAsync(code, "ann", CancellationToken.None)).Record);
    }
}
