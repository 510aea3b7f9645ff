using System.Security.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>A public key (or OpenSSH certificate) in SSH wire form, able to verify signatures made with it.</summary>
public abstract partial class SshPublicKey
{
    /// <summary>The key type name as on the wire, e.g. <c>ssh-ed25519</c> or <c>ssh-ed25519-cert-v01@openssh.com</c>.</summary>
    public abstract string KeyType { get; }

    /// <summary>The public key blob exactly as encoded on the wire (RFC 4253 §6.6).</summary>
    public abstract ReadOnlyMemory<byte> Blob { get; }

    /// <summary>Signature algorithm names this key can verify, e.g. <c>rsa-sha2-512</c> and <c>rsa-sha2-256</c> for RSA.</summary>
    public abstract IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>
    /// Verifies a signature blob (<c>string algorithm, string signature</c>) over <paramref name="data"/>.
    /// Returns false for a wrong signature, an algorithm that does not fit the key, or one outside <paramref name="allowedAlgorithms"/>.
    /// </summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null);

    /// <summary>The fingerprint exactly as OpenSSH prints it: <c>SHA256:</c> and unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob.Span)).TrimEnd('=');

    /// <summary>Constant-time equality of the wire blobs.</summary>
    public bool BlobEquals(SshPublicKey other) =>
        CryptographicOperations.FixedTimeEquals(Blob.Span, other.Blob.Span);

    /// <summary>The <c>TYPE BASE64</c> form used in authorized_keys and known_hosts.</summary>
    public override string ToString() => KeyType + " " + Convert.ToBase64String(Blob.Span);
}
