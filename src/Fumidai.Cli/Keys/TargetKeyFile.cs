using System.Text;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Keys;

/// <summary>A private key the bastion uses to log in to a target, stored encrypted with the master key.</summary>
/// <remarks>
/// Stored form: the unencrypted OpenSSH private key file text (UTF-8), protected with purpose <c>target-key:NAME</c>,
/// so the bastion reads it back with <see cref="SshPrivateKey.Parse"/> after <see cref="SecretProtector.Unprotect"/>.
/// </remarks>
public static class TargetKeyFile
{
    public static string Purpose(string targetName) => "target-key:" + targetName;

    /// <summary>Loads the key file and returns it encrypted for the target, with its public key for display.</summary>
    public static (byte[] Encrypted, SshPublicKey PublicKey) LoadAndProtect(string path, string targetName, SecretProtector protector)
    {
        InputValidation.InputFile("--key", path);
        SshPrivateKey key;
        string comment;
        try
        {
            key = SshPrivateKey.Parse(File.ReadAllText(path), null, out comment);
        }
        catch (Exception ex) when (ex is SshKeyFileException or FormatException or NotSupportedException
                                       or System.Security.Cryptography.CryptographicException)
        {
            throw CliException.Usage($"--key: {path}: {ex.Message} (a key without a passphrase is required; remove it with ssh-keygen -p)");
        }
        using (key)
        {
            var plain = Encoding.UTF8.GetBytes(OpenSshPrivateKeyFile.Format(key, comment));
            try
            {
                return (protector.Protect(plain, Purpose(targetName)), key.PublicKey);
            }
            finally
            {
                Array.Clear(plain);
            }
        }
    }
}
