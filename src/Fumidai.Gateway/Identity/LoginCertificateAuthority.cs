using System.Globalization;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Identity;

/// <summary>Issues and checks login certificates: after key + TOTP, a short-lived certificate that stands for both factors.</summary>
/// <remarks>
/// Signed by the login CA, which only the bastion trusts (targets trust the user CA, never this one). A certificate is
/// good only while everything that made the login good still holds: the serial is known and not revoked, the key is
/// still hers, she is enabled, and her access was not revoked (disable, MFA reset) since it was issued.
/// </remarks>
public sealed class LoginCertificateAuthority
{
    public const string KeyIdPrefix = "fumidai-login:";

    /// <summary>The longest lifetime a role may give (one working day).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(12);

    // Bastion nodes share one clock source in practice; a little slack still keeps a fresh certificate from being early.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    private readonly SshPrivateKey _ca;
    private readonly ILoginCertificateStore _certificates;
    private readonly ICredentialStore _credentials;
    private readonly IRevocationStore _revocations;
    private readonly TimeProvider _clock;

    public LoginCertificateAuthority(SshPrivateKey ca, ILoginCertificateStore certificates, ICredentialStore credentials,
        IRevocationStore revocations, TimeProvider? clock = null)
    {
        _ca = ca;
        _certificates = certificates;
        _credentials = credentials;
        _revocations = revocations;
        _clock = clock ?? TimeProvider.System;
    }

    public SshPublicKey PublicKey => _ca.PublicKey;

    public static string KeyId(string user, long serial) => KeyIdPrefix + user + ":" + serial.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the user's roles give: the shortest lifetime any of them sets, bound if any binds; null when none issues.</summary>
    public async Task<RoleLoginCertificates?> GrantAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var settings = (await _certificates.ListRoleLoginCertificatesAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => user.HasRole(s.Role) && s.Lifetime > TimeSpan.Zero).ToList();
        if (settings.Count == 0) return null;
        var lifetime = settings.Min(s => s.Lifetime);
        return new RoleLoginCertificates("", lifetime > MaxLifetime ? MaxLifetime : lifetime, settings.Any(s => s.SourceBound));
    }

    /// <summary>Issues a certificate for <paramref name="key"/>, or returns why not (her roles issue none).</summary>
    public async Task<(SshCertificate? Certificate, LoginCertificateRecord? Record, string? Refusal)> IssueAsync(UserRecord user, SshPublicKey key,
        string source, CancellationToken cancellationToken)
    {
        if (key is SshCertificate) return (null, null, "a certificate cannot be certified again");
        if (await GrantAsync(user, cancellationToken).ConfigureAwait(false) is not { } grant)
            return (null, null, "none of your roles issues login certificates");
        var now = _clock.GetUtcNow();
        var validBefore = now + grant.Lifetime;
        string? bound = grant.SourceBound ? source : null;
        long serial = await _certificates.AddLoginCertificateAsync(user.Name, key.Fingerprint, now, validBefore, bound, cancellationToken)
            .ConfigureAwait(false);
        var builder = new SshCertificateBuilder(key, SshCertificateType.User, KeyId(user.Name, serial))
        {
            Serial = (ulong)serial,
            ValidAfter = now - Slack,
            ValidBefore = validBefore,
        };
        builder.ValidPrincipals.Add(user.Name);
        // The bastion is the only party that reads it; the extensions make it an ordinary login certificate to ssh.
        builder.Extensions["permit-port-forwarding"] = "";
        builder.Extensions["permit-pty"] = "";
        if (bound is not null) builder.CriticalOptions["source-address"] = bound;
        var record = new LoginCertificateRecord(serial, user.Name, key.Fingerprint, now, validBefore, bound, null);
        return (builder.Sign(_ca), record, null);
    }

    /// <summary>Checks a login certificate offered by <paramref name="principal"/> from <paramref name="source"/>; null refusal means good.</summary>
    public async Task<(LoginCertificateRecord? Record, string? Refusal)> CheckAsync(SshCertificate certificate, UserRecord? user, string principal,
        string? source, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (!CertificateValidation.ValidateUserCertificate(certificate, [_ca.PublicKey], principal, now, source, out var reason))
            return (null, reason);
        if (certificate.Serial is 0 or > long.MaxValue || certificate.KeyId != KeyId(principal, (long)certificate.Serial))
            return (null, "not a login certificate of this user");
        var record = await _certificates.GetLoginCertificateAsync((long)certificate.Serial, cancellationToken).ConfigureAwait(false);
        if (record is null || record.UserName != principal) return (null, "serial not issued to this user");
        if (record.Revoked is not null) return (null, "certificate revoked");
        if (user is null) return (null, "unknown user");
        if (user.Disabled) return (null, "user disabled");
        var keys = await _credentials.ListUserKeysAsync(user.Name, cancellationToken).ConfigureAwait(false);
        // Whole blobs, not fingerprints: the certified key must still be one she may log in with.
        if (!keys.Any(k => SshPublicKey.ParseOpenSsh(k.PublicKey).BlobEquals(certificate.Key))) return (null, "key no longer registered");
        // Disable, lock and MFA reset all revoke her access as a whole: a certificate from before that is void.
        if (await _revocations.GetUserRevokedAsync(user.Name, cancellationToken).ConfigureAwait(false) is { } revoked && revoked >= record.Issued)
            return (null, "access revoked since the certificate was issued");
        if (await GrantAsync(user, cancellationToken).ConfigureAwait(false) is null) return (null, "none of her roles accepts login certificates");
        return (record, null);
    }
}
