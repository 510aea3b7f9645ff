namespace Fumidai.Gateway.Identity;

/// <summary>A login certificate the bastion issued after both factors: whose, for which key, when, until when, from where.</summary>
/// <param name="Source">The address it was issued to (bound into the certificate when the role asks for it).</param>
/// <param name="Revoked">When <c>user revoke-certs</c> (or an MFA reset) revoked it, or null.</param>
public sealed record LoginCertificateRecord(long Serial, string UserName, string KeyFingerprint, DateTimeOffset Issued, DateTimeOffset ValidBefore,
    string? Source, DateTimeOffset? Revoked);

/// <summary>A role's login certificates: how long they last (zero: none are issued) and whether they are bound to the source address.</summary>
public sealed record RoleLoginCertificates(string Role, TimeSpan Lifetime, bool SourceBound);
