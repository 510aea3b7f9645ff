namespace Fumidai.Ssh.Keys;

/// <summary>A private key paired with its OpenSSH certificate, for authenticating (client role) or as a host key with a certificate.</summary>
/// <remarks>
/// Offers the certificate algorithm names (e.g. <c>rsa-sha2-512-cert-v01@openssh.com</c>) and signs with the plain algorithm,
/// as PROTOCOL.certkeys requires. Takes ownership of the private key.
/// </remarks>
public sealed class SshCertifiedPrivateKey : SshPrivateKey
{
    private readonly SshPrivateKey _key;
    private readonly SshCertificate _certificate;

    public SshCertifiedPrivateKey(SshPrivateKey key, SshCertificate certificate)
    {
        if (!certificate.Key.BlobEquals(key.PublicKey)) throw new ArgumentException("the certificate is not for this key", nameof(certificate));
        _key = key;
        _certificate = certificate;
    }

    public SshCertificate Certificate => _certificate;

    public override SshPublicKey PublicKey => _certificate;

    public override IReadOnlyList<string> SignatureAlgorithms => _certificate.SignatureAlgorithms;

    /// <summary>Accepts either the certificate or the plain algorithm name; the blob always carries the plain one.</summary>
    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data) =>
        _key.Sign(SshKeyTypes.WithoutCertSuffix(signatureAlgorithm), data);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _key.Dispose();
        base.Dispose(disposing);
    }
}
