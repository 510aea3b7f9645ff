using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>A login certificate is both factors while valid, and stops at once when anything that made the login good no longer holds.</summary>
public sealed class LoginCertificateTests : IAsyncLifetime
{
    private AuthenticatorRig _rig = null!;
    private SshPublicKey _key = null!;

    public async Task InitializeAsync()
    {
        _rig = await AuthenticatorRig.CreateAsync();
        Assert.True(await _rig.Store.AddRoleAsync(new AccessRole("ops", ["web*"], ["root"], [ChannelKinds.Exec], null, null)));
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.FromHours(8), SourceBound: false));
        (_key, _) = await _rig.AddUserAsync("amy", withPassword: false);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private async Task<SshCertificate> IssueAsync(string source = "127.0.0.1")
    {
        var user = (await _rig.Store.GetUserAsync("amy"))!;
        var (certificate, record, refusal) = await _rig.LoginCertificates.IssueAsync(user, _key, source, CancellationToken.None);
        Assert.True(certificate is not null && record is not null, refusal);
        return certificate;
    }

    private async Task<AuthenticationDecision> OfferAsync(SshPublicKey certificate, string user = "amy", string source = "127.0.0.1") =>
        await _rig.KeyAsync(AuthenticatorRig.Connection(source), user, certificate);

    private async Task AssertRefusedAsync(SshPublicKey certificate, string reason, string user = "amy", string source = "127.0.0.1")
    {
        var decision = await OfferAsync(certificate, user, source);
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        var failure = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.LoginFailure);
        Assert.Contains(reason, failure.Details["reason"]);
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
    }

    [Fact]
    public async Task An_issued_certificate_logs_her_in_without_a_code_and_the_audit_names_it()
    {
        var certificate = await IssueAsync();

        Assert.Equal($"fumidai-login:amy:{certificate.Serial}", certificate.KeyId);
        Assert.Equal(["amy"], certificate.ValidPrincipals);
        Assert.True(certificate.SignatureKey.BlobEquals(_rig.LoginCa.PublicKey));
        Assert.True(certificate.Key.BlobEquals(_key));
        Assert.Equal((ulong)(_rig.Clock.GetUtcNow() + TimeSpan.FromHours(8)).ToUnixTimeSeconds(), certificate.ValidBefore);
        Assert.Null(certificate.CriticalOption("source-address"));

        var decision = await OfferAsync(certificate, "amy:web01");

        Assert.Equal(AuthenticationOutcome.Success, decision.Outcome);
        var login = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        Assert.Equal(("certificate", certificate.Serial.ToString(), _key.Fingerprint, "web01"),
            (login.Details["method"], login.Details["serial"], login.Details["key"], login.Target));
        Assert.False(string.IsNullOrEmpty(login.Details["issued"]));
    }

    [Fact]
    public async Task After_her_key_publickey_stays_open_so_the_certificate_OpenSSH_offers_next_completes_the_login()
    {
        var certificate = await IssueAsync();
        var connection = AuthenticatorRig.Connection();

        var first = await _rig.KeyAsync(connection, "amy", _key);
        Assert.Equal(AuthenticationOutcome.PartialSuccess, first.Outcome);
        Assert.Equal([AuthenticationMethods.KeyboardInteractive, AuthenticationMethods.PublicKey], first.NextMethods);
        // Another plain key is no second factor.
        var other = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey;
        Assert.Equal(AuthenticationOutcome.Failure, (await _rig.KeyAsync(connection, "amy", other)).Outcome);

        Assert.Equal(AuthenticationOutcome.Success, (await _rig.KeyAsync(connection, "amy", certificate)).Outcome);
    }

    [Fact]
    public async Task Without_a_role_that_issues_certificates_only_the_code_follows_the_key()
    {
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.Zero, SourceBound: false));
        var first = await _rig.KeyAsync(AuthenticatorRig.Connection(), "amy", _key);
        Assert.Equal([AuthenticationMethods.KeyboardInteractive], first.NextMethods);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused()
    {
        var certificate = await IssueAsync();
        _rig.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromSeconds(1));
        await AssertRefusedAsync(certificate, "expired");
    }

    [Fact]
    public async Task A_certificate_of_another_CA_with_a_real_serial_is_refused()
    {
        var issued = await IssueAsync();
        // The user CA (what targets trust) or any other: same key id, serial, principal and key, another signer.
        using var otherCa = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var builder = new SshCertificateBuilder(_key, SshCertificateType.User, issued.KeyId)
        {
            Serial = issued.Serial,
            ValidAfter = DateTimeOffset.UtcNow.AddMinutes(-1),
            ValidBefore = DateTimeOffset.UtcNow.AddHours(1),
        };
        builder.ValidPrincipals.Add("amy");
        await AssertRefusedAsync(builder.Sign(otherCa), "untrusted CA");
    }

    [Fact]
    public async Task Her_certificate_is_no_login_for_another_user()
    {
        var certificate = await IssueAsync();
        await _rig.AddUserAsync("bob", withPassword: false);
        var decision = await OfferAsync(certificate, "bob");
        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        var failure = (await _rig.AuditEventsAsync()).Last(e => e.Type == AuditTypes.LoginFailure);
        Assert.Equal("bob", failure.User);
        Assert.Contains("principal", failure.Details["reason"]);
    }

    [Fact]
    public async Task A_disabled_user_is_refused()
    {
        var certificate = await IssueAsync();
        await _rig.Store.SetUserDisabledAsync("amy", true);
        await AssertRefusedAsync(certificate, "disabled");
    }

    [Fact]
    public async Task An_access_revocation_after_the_issue_such_as_an_MFA_reset_voids_it()
    {
        var certificate = await IssueAsync();
        await _rig.Store.AddRevocationAsync(RevocationScopes.User, "amy", null, "MFA reset", "test");
        await AssertRefusedAsync(certificate, "revoked since");
    }

    [Fact]
    public async Task Removing_the_key_voids_it()
    {
        var certificate = await IssueAsync();
        Assert.True(await _rig.Store.RemoveUserKeyAsync("amy", _key.Fingerprint));
        await AssertRefusedAsync(certificate, "key no longer registered");
    }

    [Fact]
    public async Task A_revoked_serial_is_refused_and_a_new_certificate_works()
    {
        var certificate = await IssueAsync();
        Assert.Equal(1, await _rig.Store.RevokeLoginCertificatesAsync("amy", DateTimeOffset.UtcNow));
        await AssertRefusedAsync(certificate, "revoked");

        Assert.Equal(AuthenticationOutcome.Success, (await OfferAsync(await IssueAsync())).Outcome);
    }

    [Fact]
    public async Task A_source_bound_certificate_works_only_from_its_address()
    {
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.FromHours(1), SourceBound: true));
        var certificate = await IssueAsync("127.0.0.1");
        Assert.Equal("127.0.0.1", certificate.CriticalOption("source-address"));

        await AssertRefusedAsync(certificate, "source-address", source: "127.0.0.2");
        Assert.Equal(AuthenticationOutcome.Success, (await OfferAsync(certificate, source: "127.0.0.1")).Outcome);
    }

    [Fact]
    public async Task A_locked_user_is_refused()
    {
        var certificate = await IssueAsync();
        await _rig.Store.RecordFailureAsync("amy", "127.0.0.1", 1, TimeSpan.FromMinutes(30), _rig.Clock.GetUtcNow());
        Assert.Equal(AuthenticationOutcome.Failure, (await OfferAsync(certificate)).Outcome);
        Assert.Contains(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.LoginFailure && e.Details["reason"].Contains("locked"));
    }

    [Fact]
    public async Task A_role_without_a_lifetime_issues_none_and_turning_it_off_voids_those_issued()
    {
        var certificate = await IssueAsync();
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.Zero, SourceBound: false));

        var user = (await _rig.Store.GetUserAsync("amy"))!;
        var (none, _, refusal) = await _rig.LoginCertificates.IssueAsync(user, _key, "127.0.0.1", CancellationToken.None);
        Assert.Null(none);
        Assert.Contains("roles", refusal);
        await AssertRefusedAsync(certificate, "roles");
    }

    [Fact]
    public async Task The_lifetime_is_the_shortest_of_her_roles_and_never_above_12_hours()
    {
        Assert.True(await _rig.Store.AddRoleAsync(new AccessRole("night", ["db*"], ["root"], [ChannelKinds.Exec], null, null)));
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("night", TimeSpan.FromHours(2), SourceBound: false));
        await _rig.Store.SetUserRolesAsync("amy", ["ops", "night"]);
        var user = (await _rig.Store.GetUserAsync("amy"))!;
        Assert.Equal(TimeSpan.FromHours(2), (await _rig.LoginCertificates.GrantAsync(user, CancellationToken.None))!.Lifetime);

        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("night", TimeSpan.FromHours(30), SourceBound: false));
        await _rig.Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.FromHours(20), SourceBound: false));
        Assert.Equal(TimeSpan.FromHours(12), (await _rig.LoginCertificates.GrantAsync(user, CancellationToken.None))!.Lifetime);
    }
}
