namespace Fumidai.Ssh.Framing;

/// <summary><c>chacha20-poly1305@openssh.com</c>: two ChaCha20 keys from one 64-byte key, Poly1305 tag (OpenSSH PROTOCOL.chacha20poly1305).</summary>
internal sealed class ChaCha20Poly1305CipherAlgorithm : CipherAlgorithm
{
    public static readonly ChaCha20Poly1305CipherAlgorithm Instance = new();

    private ChaCha20Poly1305CipherAlgorithm()
    {
    }

    public override string Name => "chacha20-poly1305@openssh.com";

    public override int KeyLength => ChaCha20Poly1305PacketCipher.KeyLength;

    public override int IvLength => 0;

    public override bool IsAead => true;

    public override PacketCipher Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, MacAlgorithm? mac, ReadOnlySpan<byte> macKey, bool forSealing)
    {
        if (mac is not null)
        {
            throw new ArgumentException("An AEAD cipher takes no MAC.", nameof(mac));
        }

        return new ChaCha20Poly1305PacketCipher(key);
    }
}
