using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

/// <summary>
/// Vectors: RFC 8439 §2.3.2 (ChaCha20 block) and §2.5.2 (Poly1305), and the packet worked example of
/// draft-ietf-sshm-chacha20-poly1305 Appendix A; all three were re-derived with pyca/cryptography (OpenSSL) before use.
/// </summary>
public sealed class ChaCha20Poly1305KnownAnswerTests
{
    private static readonly byte[] DraftKey = Convert.FromHexString(
        "8bbff6855fc102338c373e73aac0c914f076a905b2444a32eecaffeae22becc5" +
        "e9b7a7a5825a8249346ec1c28301cf394543fc7569887d76e168f37562ac0740");

    private const uint DraftSequenceNumber = 7;

    // packet_length 0x48, then padding_length 6, SSH_MSG_CHANNEL_DATA, channel 0, string "Lorem ipsum…", 6 padding bytes.
    private static readonly byte[] DraftPlainPacket = Convert.FromHexString(
        "00000048" +
        "065e00000000000000384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e73656374657475722061" +
        "64697069736963696e6720656c69744e43e804dc6c");

    private static readonly byte[] DraftSealedPacket = Convert.FromHexString(
        "2c3ecce4" +
        "a5bc05895bf07a7ba956b6c68829ac7c83b780b7000ecde745afc705bbc378ce03a280236b87b53bed5839662302b164b628" +
        "6a48cd1e097138e3cb909b8b2b829dd18d2a35ff82d9");

    private static readonly byte[] DraftTag = Convert.FromHexString("95349e855bf02c298ef775f2d1a7e8b8");

    [Fact]
    public void ChaCha20_block_function_matches_RFC8439_2_3_2()
    {
        // The RFC's 96-bit nonce 00000009 0000004a 00000000 with 32-bit counter 1 is the same state as the original
        // variant's 64-bit counter 0x09000000_00000001 with 64-bit nonce 0000004a 00000000 (words 12..15 in order).
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = Convert.FromHexString("0000004a00000000");
        byte[] block = new byte[64];
        Sodium.ChaCha20Xor(block, nonce, 0x09000000_00000001, key);
        Assert.Equal(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
            Convert.ToHexStringLower(block));
    }

    [Fact]
    public void ChaCha20_stream_starts_at_block_zero_and_xor_ic_continues_it()
    {
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = Convert.FromHexString("0001020304050607");
        byte[] whole = new byte[192];
        Sodium.ChaCha20Stream(whole, nonce, key);
        byte[] fromBlockOne = new byte[128];
        Sodium.ChaCha20Xor(fromBlockOne, nonce, 1, key);
        Assert.Equal(whole.AsSpan(64).ToArray(), fromBlockOne);
    }

    [Fact]
    public void Poly1305_matches_RFC8439_2_5_2()
    {
        byte[] key = Convert.FromHexString("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] message = "Cryptographic Forum Research Group"u8.ToArray();
        byte[] tag = new byte[16];
        Sodium.Poly1305(tag, message, key);
        Assert.Equal("a8061dc1305136c6c22b8baf0c0127a9", Convert.ToHexStringLower(tag));
        Assert.True(Sodium.Poly1305Verify(tag, message, key));
        tag[15] ^= 1;
        Assert.False(Sodium.Poly1305Verify(tag, message, key));
    }

    [Fact]
    public void Seal_matches_the_draft_packet_example()
    {
        using PacketCipher cipher = Create(forSealing: true);
        byte[] packet = (byte[])DraftPlainPacket.Clone();
        byte[] tag = new byte[16];
        cipher.Seal(DraftSequenceNumber, packet, tag);
        Assert.Equal(Convert.ToHexStringLower(DraftSealedPacket), Convert.ToHexStringLower(packet));
        Assert.Equal(Convert.ToHexStringLower(DraftTag), Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void Open_accepts_the_draft_packet_example()
    {
        using PacketCipher cipher = Create(forSealing: false);
        byte[] packet = (byte[])DraftSealedPacket.Clone();
        Assert.Equal(0x48u, cipher.DecryptLength(DraftSequenceNumber, packet.AsSpan(0, 4)));
        // The tag covers the encrypted length, so DecryptLength must leave the prefix as it came off the wire.
        Assert.Equal(DraftSealedPacket.AsSpan(0, 4).ToArray(), packet.AsSpan(0, 4).ToArray());
        Assert.True(cipher.Open(DraftSequenceNumber, packet, DraftTag));
        Assert.Equal(DraftPlainPacket, packet);
    }

    [Fact]
    public void Algorithm_takes_a_64_byte_key_and_no_iv()
    {
        Assert.Equal(64, ChaCha20Poly1305CipherAlgorithm.Instance.KeyLength);
        Assert.Equal(0, ChaCha20Poly1305CipherAlgorithm.Instance.IvLength);
        using PacketCipher cipher = Create(forSealing: true);
        Assert.Equal(8, cipher.BlockSize);
        Assert.Equal(16, cipher.TagLength);
        Assert.Equal(4, cipher.LengthPrefixSize);
        Assert.True(cipher.LengthOutsidePadding);
        Assert.Throws<ArgumentException>(() => ChaCha20Poly1305CipherAlgorithm.Instance.Create(new byte[32], [], null, [], true));
    }

    private static PacketCipher Create(bool forSealing) =>
        ChaCha20Poly1305CipherAlgorithm.Instance.Create(DraftKey, [], null, [], forSealing);
}
