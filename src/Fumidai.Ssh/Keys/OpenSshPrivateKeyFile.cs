using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>Reads and writes <c>-----BEGIN OPENSSH PRIVATE KEY-----</c> files (OpenSSH PROTOCOL.key), plain or bcrypt + aes256-ctr protected.</summary>
public static class OpenSshPrivateKeyFile
{
    public const string Header = "-----BEGIN OPENSSH PRIVATE KEY-----";
    public const string Footer = "-----END OPENSSH PRIVATE KEY-----";

    /// <summary>bcrypt_pbkdf rounds written by default, as ssh-keygen does.</summary>
    public const int DefaultRounds = 16;

    /// <summary>Refuse files demanding absurd KDF work: each round costs about 10 ms, so this is minutes, not days.</summary>
    public const int MaxRounds = 10_000;

    private const int MaxFileLength = 256 * 1024;
    private const int SaltLength = 16;
    private const string Cipher = "aes256-ctr";
    private const string Kdf = "bcrypt";
    private static readonly byte[] AuthMagic = "openssh-key-v1\0"u8.ToArray();

    /// <summary>Parses the file text. Throws <see cref="SshKeyFileException"/> for a wrong or missing passphrase and damaged or unsupported files.</summary>
    public static SshPrivateKey Parse(string text, string? passphrase, out string comment)
    {
        var data = DecodeArmor(text);
        try
        {
            return ParseBinary(data, passphrase, out comment);
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFileException("damaged OpenSSH private key file (" + e.Message + ")", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>True if the text looks like an OpenSSH private key file.</summary>
    public static bool IsOpenSshFormat(string text) => text.Contains(Header, StringComparison.Ordinal);

    /// <summary>Writes the key in the format <c>ssh-keygen</c> writes, encrypted with bcrypt_pbkdf + aes256-ctr when a passphrase is given.</summary>
    public static string Format(SshPrivateKey key, string comment, string? passphrase = null, int rounds = DefaultRounds)
    {
        bool encrypt = !string.IsNullOrEmpty(passphrase);
        if (encrypt && (rounds < 1 || rounds > MaxRounds)) throw new ArgumentOutOfRangeException(nameof(rounds));
        int blockSize = encrypt ? 16 : 8;
        using var section = new SshWriter(4096);
        uint check = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        section.WriteUInt32(check);
        section.WriteUInt32(check);
        WritePrivateKey(section, key);
        section.WriteString(comment);
        for (byte pad = 1; section.Length % blockSize != 0; pad++) section.WriteByte(pad);
        var privateSection = section.WrittenSpan.ToArray();

        using var file = new SshWriter(privateSection.Length + 512);
        file.WriteRaw(AuthMagic);
        try
        {
            if (encrypt)
            {
                var salt = RandomNumberGenerator.GetBytes(SaltLength);
                using var options = new SshWriter(32);
                options.WriteBinary(salt);
                options.WriteUInt32((uint)rounds);
                file.WriteString(Cipher);
                file.WriteString(Kdf);
                file.WriteBinary(options.WrittenSpan);
                Encrypt(passphrase!, salt, rounds, privateSection);
            }
            else
            {
                file.WriteString("none");
                file.WriteString("none");
                file.WriteBinary([]);
            }
            file.WriteUInt32(1);
            file.WriteBinary(key.PublicKey.Blob.Span);
            file.WriteBinary(privateSection);
            var base64 = Convert.ToBase64String(file.WrittenSpan);
            var builder = new StringBuilder(base64.Length + 128);
            builder.Append(Header).Append('\n');
            // ssh-keygen wraps at 70 columns.
            for (int i = 0; i < base64.Length; i += 70) builder.Append(base64, i, Math.Min(70, base64.Length - i)).Append('\n');
            builder.Append(Footer).Append('\n');
            return builder.ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateSection);
        }
    }

    private static SshPrivateKey ParseBinary(byte[] data, string? passphrase, out string comment)
    {
        if (data.Length < AuthMagic.Length || !data.AsSpan(0, AuthMagic.Length).SequenceEqual(AuthMagic))
            throw new SshKeyFileException("not an OpenSSH private key file (bad magic)");
        var reader = new SshReader(data.AsSpan(AuthMagic.Length));
        string cipher = reader.ReadString(64);
        string kdf = reader.ReadString(64);
        var kdfOptions = reader.ReadBinary(1024);
        if (reader.ReadUInt32() != 1) throw new SshKeyFileException("OpenSSH private key files with several keys are not supported");
        var publicBlob = reader.ReadBinary(SshPublicKey.MaxBlobLength);
        var privateSection = reader.ReadBinary(MaxFileLength).ToArray();
        reader.EnsureEnd("OpenSSH private key file");
        try
        {
            int blockSize;
            if (cipher == "none" && kdf == "none")
            {
                blockSize = 8;
            }
            else if (cipher is "aes256-ctr" or "aes192-ctr" or "aes128-ctr" && kdf == Kdf)
            {
                if (string.IsNullOrEmpty(passphrase)) throw new SshKeyFileException("the key file is encrypted; a passphrase is required");
                blockSize = 16;
                var options = new SshReader(kdfOptions);
                var salt = options.ReadBinary(1024);
                uint rounds = options.ReadUInt32();
                options.EnsureEnd("bcrypt KDF options");
                if (rounds < 1 || rounds > MaxRounds) throw new SshKeyFileException("bcrypt rounds out of range");
                if (privateSection.Length % blockSize != 0) throw new SshKeyFileException("damaged OpenSSH private key file (encrypted length)");
                int keyLength = cipher switch { "aes256-ctr" => 32, "aes192-ctr" => 24, _ => 16 };
                Decrypt(passphrase, salt, (int)rounds, keyLength, privateSection);
            }
            else
            {
                throw new SshKeyFileException("unsupported key file protection (" + cipher + ", " + kdf + ")");
            }
            if (privateSection.Length % blockSize != 0) throw new SshKeyFileException("damaged OpenSSH private key file (padding)");

            var inner = new SshReader(privateSection);
            uint check1 = inner.ReadUInt32();
            uint check2 = inner.ReadUInt32();
            // The two check words only match after a successful decryption: the usual sign of a wrong passphrase.
            if (check1 != check2)
                throw new SshKeyFileException(passphrase is null ? "damaged OpenSSH private key file" : "wrong passphrase for the key file");
            var key = ReadPrivateKey(ref inner);
            try
            {
                comment = inner.ReadString(64 * 1024);
                var padding = inner.RemainingSpan;
                for (int i = 0; i < padding.Length; i++)
                {
                    if (padding[i] != (byte)(i + 1)) throw new SshKeyFileException("damaged OpenSSH private key file (padding)");
                }
                if (!key.PublicKey.Blob.Span.SequenceEqual(publicBlob))
                    throw new SshKeyFileException("damaged OpenSSH private key file (public and private parts differ)");
                return key;
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateSection);
        }
    }

    private static SshPrivateKey ReadPrivateKey(ref SshReader reader)
    {
        string keyType = reader.ReadString();
        switch (keyType)
        {
            case SshKeyTypes.Ed25519:
            {
                var publicKey = reader.ReadBinary(32);
                var secret = reader.ReadBinary(64);
                // OpenSSH stores seed || public key.
                if (publicKey.Length != 32 || secret.Length != 64 || !secret[32..].SequenceEqual(publicKey))
                    throw new SshKeyFileException("damaged ssh-ed25519 private key");
                return Ed25519PrivateKey.FromSeed(secret[..32]);
            }
            case SshKeyTypes.Rsa:
            {
                var n = reader.ReadUnsignedMPInt(RsaPublicKey.MaximumBits / 8 + 1);
                var e = reader.ReadUnsignedMPInt(9);
                var d = reader.ReadUnsignedMPInt(RsaPublicKey.MaximumBits / 8 + 1);
                var iqmp = reader.ReadUnsignedMPInt(RsaPublicKey.MaximumBits / 8 + 1);
                var p = reader.ReadUnsignedMPInt(RsaPublicKey.MaximumBits / 8 + 1);
                var q = reader.ReadUnsignedMPInt(RsaPublicKey.MaximumBits / 8 + 1);
                return RsaPrivateKey.FromComponents(n, e, d, iqmp, p, q);
            }
            default:
                var curve = EcdsaCurve.FromKeyType(keyType)
                    ?? throw new SshKeyFileException("unsupported private key type in key file");
                if (reader.ReadString(32) != curve.Identifier) throw new SshKeyFileException("damaged " + keyType + " private key");
                var point = reader.ReadBinary(curve.PointLength);
                var scalar = reader.ReadUnsignedMPInt(curve.FieldLength + 1);
                return EcdsaPrivateKey.FromScalar(curve, point, scalar);
        }
    }

    private static void WritePrivateKey(SshWriter writer, SshPrivateKey key)
    {
        writer.WriteString(key.PublicKey.KeyType);
        switch (key)
        {
            case Ed25519PrivateKey ed:
            {
                var seed = ed.ExportSeed();
                var publicKey = ((Ed25519PublicKey)ed.PublicKey).RawKey.Span;
                writer.WriteBinary(publicKey);
                writer.WriteUInt32(64);
                writer.WriteRaw(seed);
                writer.WriteRaw(publicKey);
                CryptographicOperations.ZeroMemory(seed);
                break;
            }
            case EcdsaPrivateKey ec:
            {
                var scalar = ec.ExportScalar();
                writer.WriteString(ec.Curve.Identifier);
                writer.WriteBinary(((EcdsaPublicKey)ec.PublicKey).Point.Span);
                writer.WriteUnsignedMPInt(scalar);
                CryptographicOperations.ZeroMemory(scalar);
                break;
            }
            case RsaPrivateKey rsa:
            {
                var p = rsa.ExportParameters();
                writer.WriteUnsignedMPInt(p.Modulus);
                writer.WriteUnsignedMPInt(p.Exponent);
                writer.WriteUnsignedMPInt(p.D);
                writer.WriteUnsignedMPInt(p.InverseQ);
                writer.WriteUnsignedMPInt(p.P);
                writer.WriteUnsignedMPInt(p.Q);
                CryptographicOperations.ZeroMemory(p.D);
                CryptographicOperations.ZeroMemory(p.P);
                CryptographicOperations.ZeroMemory(p.Q);
                CryptographicOperations.ZeroMemory(p.DP);
                CryptographicOperations.ZeroMemory(p.DQ);
                CryptographicOperations.ZeroMemory(p.InverseQ);
                break;
            }
            default:
                throw new NotSupportedException("cannot write private keys of type " + key.PublicKey.KeyType);
        }
    }

    private static void Encrypt(string passphrase, byte[] salt, int rounds, byte[] section) =>
        Decrypt(passphrase, salt, rounds, 32, section);

    /// <summary>CTR is its own inverse: derive key || IV with bcrypt_pbkdf and XOR the keystream.</summary>
    private static void Decrypt(string passphrase, ReadOnlySpan<byte> salt, int rounds, int keyLength, byte[] section)
    {
        var password = Encoding.UTF8.GetBytes(passphrase);
        var keyAndIv = BcryptPbkdf.DeriveKey(password, salt, keyLength + 16, rounds);
        try
        {
            AesCtr.Transform(keyAndIv.AsSpan(0, keyLength), keyAndIv.AsSpan(keyLength, 16), section);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
            CryptographicOperations.ZeroMemory(keyAndIv);
        }
    }

    private static byte[] DecodeArmor(string text)
    {
        if (text.Length > MaxFileLength) throw new SshKeyFileException("key file too large");
        int start = text.IndexOf(Header, StringComparison.Ordinal);
        int end = text.IndexOf(Footer, StringComparison.Ordinal);
        if (start < 0 || end < start) throw new SshKeyFileException("not an OpenSSH private key file (no BEGIN/END lines)");
        var body = text.AsSpan(start + Header.Length, end - start - Header.Length);
        var compact = new StringBuilder(body.Length);
        foreach (char c in body)
        {
            if (!char.IsWhiteSpace(c)) compact.Append(c);
        }
        try
        {
            return Convert.FromBase64String(compact.ToString());
        }
        catch (FormatException e)
        {
            throw new SshKeyFileException("damaged OpenSSH private key file (base64)", e);
        }
    }
}
