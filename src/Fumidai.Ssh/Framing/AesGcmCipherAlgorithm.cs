namespace Fumidai.Ssh.Framing;

/// <summary><c>aes128-gcm@openssh.com</c> and <c>aes256-gcm@openssh.com</c>: AES-GCM as RFC 5647, amended by OpenSSH PROTOCOL §1.6.</summary>
internal sealed class AesGcmCipherAlgorithm : CipherAlgorithm
{
    public static readonly AesGcmCipherAlgorithm Aes128 = new("aes128-gcm@openssh.com", 16);

    public static readonly AesGcmCipherAlgorithm Aes256 = new("aes256-gcm@openssh.com", 32);

    private AesGcmCipherAlgorithm(string name, int keyLength)
    {
        Name = name;
        KeyLength = keyLength;
    }

    public override string Name { get; }

    public override int KeyLength { get; }

    public override int IvLength => AesGcmPacketCipher.NonceLength;

    public override bool IsAead => true;

    public override PacketCipher Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, MacAlgorithm? mac, ReadOnlySpan<byte> macKey, bool forSealing)
    {
        if (mac is not null)
        {
            throw new ArgumentException("An AEAD cipher takes no MAC.", nameof(mac));
        }

        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Name} needs a {KeyLength}-byte key.", nameof(key));
        }

        return new AesGcmPacketCipher(key, iv);
    }
}
