using System.Buffers.Binary;
using System.Security.Cryptography;
using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

/// <summary>AES-CTR against NIST SP 800-38A F.5.1 and F.5.5, and the HMAC layouts of RFC 4253 §6.4 and OpenSSH's ETM.</summary>
public sealed class AesCtrHmacKnownAnswerTests
{
    private static readonly byte[] InitialCounter = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");

    private static readonly byte[] Plaintext = Convert.FromHexString(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");

    public static TheoryData<string, string, string> NistVectors => new()
    {
        {
            "aes128-ctr", "2b7e151628aed2a6abf7158809cf4f3c",
            "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"
        },
        {
            "aes256-ctr", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6"
        },
    };

    [Theory]
    [MemberData(nameof(NistVectors))]
    public void Keystream_matches_SP800_38A_even_when_split_across_calls(string name, string keyHex, string ciphertextHex)
    {
        _ = name;
        byte[] key = Convert.FromHexString(keyHex);
        byte[] whole = (byte[])Plaintext.Clone();
        using (var ctr = new AesCtrKeystream(key, InitialCounter))
        {
            ctr.Transform(whole);
        }

        Assert.Equal(ciphertextHex, Convert.ToHexStringLower(whole));

        byte[] split = (byte[])Plaintext.Clone();
        using (var ctr = new AesCtrKeystream(key, InitialCounter))
        {
            ctr.Transform(split.AsSpan(0, 16));
            ctr.Transform(split.AsSpan(16, 32));
            ctr.Transform(split.AsSpan(48));
        }

        Assert.Equal(ciphertextHex, Convert.ToHexStringLower(split));
    }

    [Fact]
    public void Counter_is_128_bit_and_carries_into_the_high_half()
    {
        // Vector from pyca/cryptography (OpenSSL CTR, full 128-bit increment): counters ..fffe, ..ffff, then 1‖0, 1‖1.
        byte[] data = new byte[64];
        using var ctr = new AesCtrKeystream(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"), Convert.FromHexString("0000000000000000fffffffffffffffe"));
        ctr.Transform(data);
        Assert.Equal(
            "52f82d2d30250cf2a1bd084f0c060af0ef8737b783c4fa88e687ee9467073f6edc0a3bc38609c26f6f2a63a39cf7ee93c5eb9614bd235873ff3771254315047c",
            Convert.ToHexStringLower(data));
    }

    [Theory]
    [MemberData(nameof(NistVectors))]
    public void Encrypt_and_mac_encrypts_the_whole_packet_and_macs_the_plaintext(string name, string keyHex, string ciphertextHex)
    {
        Assert.True(CipherAlgorithms.TryGet(name, out CipherAlgorithm? cipher));
        byte[] key = Convert.FromHexString(keyHex);
        byte[] macKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using PacketCipher sealer = cipher.Create(key, InitialCounter, HmacSha2MacAlgorithm.HmacSha256, macKey, true);
        using PacketCipher opener = cipher.Create(key, InitialCounter, HmacSha2MacAlgorithm.HmacSha256, macKey, false);
        Assert.Equal(16, sealer.LengthPrefixSize);
        Assert.False(sealer.LengthOutsidePadding);

        const uint sequence = 0x01020304;
        byte[] packet = (byte[])Plaintext.Clone();
        byte[] tag = new byte[32];
        sealer.Seal(sequence, packet, tag);

        Assert.Equal(ciphertextHex, Convert.ToHexStringLower(packet));
        Assert.Equal(HMACSHA256.HashData(macKey, (byte[])[1, 2, 3, 4, .. Plaintext]), tag);

        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(Plaintext), opener.DecryptLength(sequence, packet.AsSpan(0, 16)));
        Assert.Equal(Plaintext.AsSpan(0, 16).ToArray(), packet.AsSpan(0, 16).ToArray());
        Assert.True(opener.Open(sequence, packet, tag));
        Assert.Equal(Plaintext, packet);
    }

    [Theory]
    [MemberData(nameof(NistVectors))]
    public void Encrypt_then_mac_keeps_the_length_clear_and_macs_the_ciphertext(string name, string keyHex, string ciphertextHex)
    {
        Assert.True(CipherAlgorithms.TryGet(name, out CipherAlgorithm? cipher));
        byte[] key = Convert.FromHexString(keyHex);
        byte[] macKey = Enumerable.Range(1, 64).Select(i => (byte)i).ToArray();
        using PacketCipher sealer = cipher.Create(key, InitialCounter, HmacSha2MacAlgorithm.HmacSha512Etm, macKey, true);
        using PacketCipher opener = cipher.Create(key, InitialCounter, HmacSha2MacAlgorithm.HmacSha512Etm, macKey, false);
        Assert.Equal(4, sealer.LengthPrefixSize);
        Assert.True(sealer.LengthOutsidePadding);
        Assert.Equal(64, sealer.TagLength);

        const uint sequence = 0xfffffffe;
        byte[] packet = [0, 0, 0, 64, .. Plaintext];
        byte[] tag = new byte[64];
        sealer.Seal(sequence, packet, tag);

        Assert.Equal("00000040" + ciphertextHex, Convert.ToHexStringLower(packet));
        Assert.Equal(HMACSHA512.HashData(macKey, (byte[])[0xff, 0xff, 0xff, 0xfe, .. packet]), tag);

        Assert.Equal(64u, opener.DecryptLength(sequence, packet.AsSpan(0, 4)));
        Assert.True(opener.Open(sequence, packet, tag));
        Assert.Equal([0, 0, 0, 64, .. Plaintext], packet);
    }

    [Fact]
    public void Ctr_needs_a_known_mac_and_exact_key_lengths()
    {
        Assert.Throws<ArgumentException>(() => AesCtrCipherAlgorithm.Aes128.Create(new byte[16], new byte[16], null, [], true));
        Assert.Throws<ArgumentException>(() => AesCtrCipherAlgorithm.Aes128.Create(new byte[32], new byte[16], HmacSha2MacAlgorithm.HmacSha256, new byte[32], true));
        Assert.Throws<ArgumentException>(() => AesCtrCipherAlgorithm.Aes256.Create(new byte[32], new byte[16], HmacSha2MacAlgorithm.HmacSha512, new byte[32], true));
    }
}
