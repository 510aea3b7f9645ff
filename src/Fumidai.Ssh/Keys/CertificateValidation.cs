using System.Net;

namespace Fumidai.Ssh.Keys;

/// <summary>Decides whether a user or host certificate is acceptable, as sshd and ssh do (PROTOCOL.certkeys).</summary>
public static class CertificateValidation
{
    /// <summary>Critical options understood for user certificates; any other critical option makes the certificate unusable.</summary>
    public static readonly IReadOnlySet<string> KnownUserCriticalOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "force-command", "source-address", "verify-required",
    };

    /// <summary>
    /// Checks a user certificate for a login as <paramref name="principal"/> from <paramref name="sourceAddress"/>:
    /// user type, CA among <paramref name="trustedCas"/>, CA signature, principal listed, validity window, critical options.
    /// The caller still applies <c>force-command</c> and extensions (and <c>verify-required</c> for sk keys).
    /// </summary>
    public static bool ValidateUserCertificate(SshCertificate cert, IReadOnlyCollection<SshPublicKey> trustedCas, string principal,
        DateTimeOffset now, string? sourceAddress, out string? failureReason)
    {
        if (!CheckCommon(cert, SshCertificateType.User, trustedCas, now, out failureReason)) return false;
        // sshd requires a principal list for user certificates: an empty one would admit any account.
        if (cert.ValidPrincipals.Count == 0 || !cert.ValidPrincipals.Contains(principal, StringComparer.Ordinal))
            return Fail("certificate does not name the principal", out failureReason);
        foreach (var (name, value) in cert.CriticalOptions)
        {
            if (!KnownUserCriticalOptions.Contains(name)) return Fail("certificate has an unknown critical option: " + name, out failureReason);
            if (name == "source-address")
            {
                if (sourceAddress is null || !IPAddress.TryParse(sourceAddress, out var address))
                    return Fail("certificate is restricted by source-address and the source is unknown", out failureReason);
                try
                {
                    if (!AddressList.Contains(value, address))
                        return Fail("certificate source-address does not allow this source", out failureReason);
                }
                catch (FormatException)
                {
                    return Fail("certificate has a malformed source-address", out failureReason);
                }
            }
        }
        failureReason = null;
        return true;
    }

    /// <summary>
    /// Checks a host certificate presented by <paramref name="hostName"/>: host type, trusted CA, signature, validity,
    /// the host name among the principals (an empty list matches any host, as in ssh), and no critical options.
    /// </summary>
    public static bool ValidateHostCertificate(SshCertificate cert, IReadOnlyCollection<SshPublicKey> trustedCas, string hostName,
        DateTimeOffset now, out string? failureReason)
    {
        if (!CheckCommon(cert, SshCertificateType.Host, trustedCas, now, out failureReason)) return false;
        if (cert.ValidPrincipals.Count > 0 && !cert.ValidPrincipals.Contains(hostName, StringComparer.OrdinalIgnoreCase))
            return Fail("host certificate does not name the host", out failureReason);
        // No critical options are defined for host certificates, so any present is unknown and must be refused.
        if (cert.CriticalOptions.Count > 0) return Fail("host certificate has an unknown critical option: " + cert.CriticalOptions[0].Key, out failureReason);
        failureReason = null;
        return true;
    }

    /// <summary>Whether one of <paramref name="trustedCas"/> is the certificate's CA (a plain key, not itself a certificate).</summary>
    public static bool IsFromTrustedCa(SshCertificate cert, IReadOnlyCollection<SshPublicKey> trustedCas) =>
        trustedCas.Any(ca => ca is not SshCertificate && ca.BlobEquals(cert.SignatureKey));

    private static bool CheckCommon(SshCertificate cert, SshCertificateType type, IReadOnlyCollection<SshPublicKey> trustedCas,
        DateTimeOffset now, out string? failureReason)
    {
        if (cert.CertificateType != type) return Fail("certificate is not a " + type.ToString().ToLowerInvariant() + " certificate", out failureReason);
        if (!IsFromTrustedCa(cert, trustedCas))
            return Fail("certificate signed by an untrusted CA " + cert.SignatureKey.Fingerprint, out failureReason);
        if (!cert.VerifyCaSignature()) return Fail("certificate CA signature is invalid", out failureReason);
        long seconds = now.ToUnixTimeSeconds();
        if (seconds < 0 || (ulong)seconds < cert.ValidAfter) return Fail("certificate is not yet valid", out failureReason);
        if ((ulong)seconds >= cert.ValidBefore) return Fail("certificate has expired", out failureReason);
        failureReason = null;
        return true;
    }

    private static bool Fail(string reason, out string? failureReason)
    {
        failureReason = reason;
        return false;
    }
}
