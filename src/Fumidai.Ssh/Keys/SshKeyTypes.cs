namespace Fumidai.Ssh.Keys;

/// <summary>Key type and signature algorithm names as on the wire (RFC 8709, RFC 5656, RFC 8332, PROTOCOL.u2f, PROTOCOL.certkeys).</summary>
public static class SshKeyTypes
{
    public const string Ed25519 = "ssh-ed25519";
    public const string EcdsaNistP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaNistP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaNistP521 = "ecdsa-sha2-nistp521";
    public const string Rsa = "ssh-rsa";
    public const string SkEd25519 = "sk-ssh-ed25519@openssh.com";
    public const string SkEcdsaNistP256 = "sk-ecdsa-sha2-nistp256@openssh.com";

    /// <summary>RSA signature algorithms (RFC 8332), strongest first. <c>ssh-rsa</c> (SHA-1) is never produced nor accepted.</summary>
    public const string RsaSha2_512 = "rsa-sha2-512";
    public const string RsaSha2_256 = "rsa-sha2-256";

    /// <summary>Suffix of OpenSSH certificate key types and certificate signature algorithm names.</summary>
    public const string CertSuffix = "-cert-v01@openssh.com";

    /// <summary>
    /// Turns a certificate type or certificate signature algorithm into the plain one
    /// (<c>rsa-sha2-512-cert-v01@openssh.com</c> → <c>rsa-sha2-512</c>); returns other names unchanged.
    /// </summary>
    public static string WithoutCertSuffix(string name)
    {
        if (!name.EndsWith(CertSuffix, StringComparison.Ordinal)) return name;
        string stem = name[..^CertSuffix.Length];
        // sk types carry "@openssh.com" in the plain name but not in the certificate name.
        return stem.StartsWith("sk-", StringComparison.Ordinal) ? stem + "@openssh.com" : stem;
    }

    /// <summary>True for certificate key types and certificate signature algorithm names.</summary>
    public static bool IsCertificateAlgorithm(string name) => name.EndsWith(CertSuffix, StringComparison.Ordinal);

    /// <summary>The certificate name for a plain key type or signature algorithm (<c>ssh-ed25519</c> → <c>ssh-ed25519-cert-v01@openssh.com</c>).</summary>
    public static string WithCertSuffix(string name)
    {
        const string OpenSshDomain = "@openssh.com";
        string stem = name.EndsWith(OpenSshDomain, StringComparison.Ordinal) ? name[..^OpenSshDomain.Length] : name;
        return stem + CertSuffix;
    }
}
