using System.Security.Cryptography;

namespace Fumidai.Ssh.Keys;

public abstract partial class SshPrivateKey
{
    /// <summary>
    /// Loads a private key file: OpenSSH format (plain or passphrase-protected), PKCS#8 (<c>BEGIN PRIVATE KEY</c>,
    /// <c>BEGIN ENCRYPTED PRIVATE KEY</c>), or PEM <c>BEGIN RSA PRIVATE KEY</c> / <c>BEGIN EC PRIVATE KEY</c>.
    /// Throws <see cref="SshKeyFileException"/> for a wrong or missing passphrase or an unreadable file.
    /// </summary>
    public static SshPrivateKey Load(string path, string? passphrase = null) => Parse(File.ReadAllText(path), passphrase, out _);

    /// <summary>Parses private key file text in any format <see cref="Load"/> accepts; the comment is empty for PEM formats.</summary>
    public static SshPrivateKey Parse(string text, string? passphrase, out string comment)
    {
        comment = "";
        if (OpenSshPrivateKeyFile.IsOpenSshFormat(text)) return OpenSshPrivateKeyFile.Parse(text, passphrase, out comment);
        if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            if (string.IsNullOrEmpty(passphrase)) throw new SshKeyFileException("the key file is encrypted; a passphrase is required");
            return ImportPem(text, passphrase);
        }
        if (text.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)
            || text.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal)
            || text.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal))
        {
            if (text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
                throw new SshKeyFileException("legacy encrypted PEM keys are not supported; convert with ssh-keygen -p");
            return ImportPem(text, null);
        }
        throw new SshKeyFileException("unrecognised private key file format");
    }

    /// <summary>Tries RSA, then EC, then Ed25519 (PKCS#8 only, through NSec) on the PEM text.</summary>
    private static SshPrivateKey ImportPem(string text, string? passphrase)
    {
        var rsa = RSA.Create();
        try
        {
            if (passphrase is null) rsa.ImportFromPem(text);
            else rsa.ImportFromEncryptedPem(text, passphrase);
            return RsaPrivateKey.FromDotNet(rsa);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
        }
        var ecdsa = ECDsa.Create();
        try
        {
            if (passphrase is null) ecdsa.ImportFromPem(text);
            else ecdsa.ImportFromEncryptedPem(text, passphrase);
            return EcdsaPrivateKey.FromDotNet(ecdsa);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
        }
        if (passphrase is not null)
            throw new SshKeyFileException("wrong passphrase for the key file, or an unsupported encrypted key type");
        try
        {
            var fields = PemEncoding.Find(text);
            if (text[fields.Label] == "PRIVATE KEY")
                return Ed25519PrivateKey.FromPkcs8(Convert.FromBase64String(text[fields.Base64Data]));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new SshKeyFileException("damaged or unsupported PEM private key", e);
        }
        throw new SshKeyFileException("damaged or unsupported PEM private key");
    }
}
