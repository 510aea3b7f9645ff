using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>Login certificates issued after MFA (their serials, for revocation) and each role's certificate lifetime.</summary>
public interface ILoginCertificateStore
{
    /// <summary>Records an issue and returns its serial, which the certificate then carries.</summary>
    Task<long> AddLoginCertificateAsync(string userName, string keyFingerprint, DateTimeOffset issued, DateTimeOffset validBefore, string? source,
        CancellationToken cancellationToken = default);

    Task<LoginCertificateRecord?> GetLoginCertificateAsync(long serial, CancellationToken cancellationToken = default);

    /// <summary>Revokes every certificate of the user not yet revoked; returns how many.</summary>
    Task<int> RevokeLoginCertificatesAsync(string userName, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Sets a role's certificate lifetime (zero turns issuing off) and source binding.</summary>
    Task SetRoleLoginCertificatesAsync(RoleLoginCertificates settings, CancellationToken cancellationToken = default);

    /// <summary>Every role with a certificate setting (roles without one issue none).</summary>
    Task<IReadOnlyList<RoleLoginCertificates>> ListRoleLoginCertificatesAsync(CancellationToken cancellationToken = default);
}
