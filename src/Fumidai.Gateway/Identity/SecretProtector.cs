using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Gateway.Identity;

/// <summary>Encrypts secrets at rest (TOTP seeds, stored target keys) with the master key kept outside the database.</summary>
/// <remarks>
/// AES-256-GCM; the purpose (e.g. <c>totp:alice</c>) is bound as associated data, so a ciphertext copied to another
/// row or user does not decrypt.
/// </remarks>
public sealed class SecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] masterKey)
    {
        if (masterKey.Length != 32) throw new ArgumentException("the master key must be 32 bytes", nameof(masterKey));
        _key = masterKey;
    }

    /// <summary>Reads the master key file (32 raw bytes).</summary>
    public static SecretProtector Load(string path)
    {
        var key = File.ReadAllBytes(path);
        if (key.Length != 32) throw new InvalidDataException($"{path}: the master key must be exactly 32 bytes");
        return new SecretProtector(key);
    }

    /// <summary>Writes a new random master key readable by the owner only.</summary>
    public static void Create(string path)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(RandomNumberGenerator.GetBytes(32));
    }

    public byte[] Protect(ReadOnlySpan<byte> secret, string purpose)
    {
        var output = new byte[NonceSize + secret.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, secret, output.AsSpan(NonceSize, secret.Length), output.AsSpan(NonceSize + secret.Length), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    /// <exception cref="CryptographicException">Wrong master key, wrong purpose, or tampered data.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedSecret, string purpose)
    {
        if (protectedSecret.Length < NonceSize + TagSize) throw new CryptographicException("protected secret is truncated");
        var secret = new byte[protectedSecret.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedSecret[..NonceSize], protectedSecret.Slice(NonceSize, secret.Length), protectedSecret[^TagSize..], secret,
            Encoding.UTF8.GetBytes(purpose));
        return secret;
    }
}
