using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary><c>hmac-sha2-256</c>/<c>-512</c> (RFC 6668) and their <c>-etm@openssh.com</c> variants (OpenSSH PROTOCOL §1.5).</summary>
internal sealed class HmacSha2MacAlgorithm : MacAlgorithm
{
    public static readonly HmacSha2MacAlgorithm HmacSha256 = new("hmac-sha2-256", HashAlgorithmName.SHA256, 32, false);

    public static readonly HmacSha2MacAlgorithm HmacSha512 = new("hmac-sha2-512", HashAlgorithmName.SHA512, 64, false);

    public static readonly HmacSha2MacAlgorithm HmacSha256Etm = new("hmac-sha2-256-etm@openssh.com", HashAlgorithmName.SHA256, 32, true);

    public static readonly HmacSha2MacAlgorithm HmacSha512Etm = new("hmac-sha2-512-etm@openssh.com", HashAlgorithmName.SHA512, 64, true);

    private readonly HashAlgorithmName _hash;

    private HmacSha2MacAlgorithm(string name, HashAlgorithmName hash, int length, bool encryptThenMac)
    {
        Name = name;
        _hash = hash;
        KeyLength = length;
        TagLength = length;
        EncryptThenMac = encryptThenMac;
    }

    public override string Name { get; }

    public override int KeyLength { get; }

    public override int TagLength { get; }

    public override bool EncryptThenMac { get; }

    internal SshHmac CreateHmac(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Name} needs a {KeyLength}-byte key.", nameof(key));
        }

        return new SshHmac(_hash, key, TagLength);
    }
}
