namespace Fumidai.Ssh.Framing;

/// <summary><c>aes128-ctr</c> and <c>aes256-ctr</c> (RFC 4344 §4), paired with an HMAC-SHA2 MAC, plain or encrypt-then-MAC.</summary>
internal sealed class AesCtrCipherAlgorithm : CipherAlgorithm
{
    public static readonly AesCtrCipherAlgorithm Aes128 = new("aes128-ctr", 16);

    public static readonly AesCtrCipherAlgorithm Aes256 = new("aes256-ctr", 32);

    private AesCtrCipherAlgorithm(string name, int keyLength)
    {
        Name = name;
        KeyLength = keyLength;
    }

    public override string Name { get; }

    public override int KeyLength { get; }

    public override int IvLength => AesCtrKeystream.BlockSize;

    public override bool IsAead => false;

    /// <remarks><paramref name="mac"/> must be one of <see cref="MacAlgorithms"/>, since the framing of the packet depends on its mode.</remarks>
    public override PacketCipher Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, MacAlgorithm? mac, ReadOnlySpan<byte> macKey, bool forSealing)
    {
        if (mac is not HmacSha2MacAlgorithm hmac)
        {
            throw new ArgumentException($"{Name} needs one of the HMAC-SHA2 MACs.", nameof(mac));
        }

        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"{Name} needs a {KeyLength}-byte key.", nameof(key));
        }

        var keystream = new AesCtrKeystream(key, iv);
        SshHmac? sshHmac = null;
        try
        {
            sshHmac = hmac.CreateHmac(macKey);
            return hmac.EncryptThenMac
                ? new EncryptThenMacPacketCipher(keystream, sshHmac)
                : new EncryptAndMacPacketCipher(keystream, sshHmac);
        }
        catch
        {
            keystream.Dispose();
            sshHmac?.Dispose();
            throw;
        }
    }
}
