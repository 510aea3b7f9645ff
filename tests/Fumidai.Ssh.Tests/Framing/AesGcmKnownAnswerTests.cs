using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

/// <summary>
/// AES-GCM packets against the GCM specification's Test Case 3 (McGrew and Viega, as used by NIST SP 800-38D
/// validation), reached through the invocation-counter increment; tags with the 4-byte length as AAD, which no
/// published vector has, were computed with pyca/cryptography (OpenSSL).
/// </summary>
public sealed class AesGcmKnownAnswerTests
{
    private static readonly byte[] Key = Convert.FromHexString("feffe9928665731c6d6a8f9467308308");

    private static readonly byte[] TestCase3Plaintext = Convert.FromHexString(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");

    private static readonly byte[] TestCase3Ciphertext = Convert.FromHexString(
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985");

    [Fact]
    public void Second_packet_uses_the_incremented_nonce_of_test_case_3()
    {
        // Start one below the vector's IV cafebabefacedbaddecaf888: the first packet uses ...887, the second ...888.
        using PacketCipher cipher = AesGcmCipherAlgorithm.Aes128.Create(Key, Convert.FromHexString("cafebabefacedbaddecaf887"), null, [], true);
        byte[] first = new byte[4 + 16 + 16];
        first[3] = 16;
        cipher.Seal(0, first.AsSpan(0, 20), first.AsSpan(20));

        byte[] packet = [0, 0, 0, 0x40, .. TestCase3Plaintext];
        byte[] tag = new byte[16];
        cipher.Seal(1, packet, tag);

        Assert.Equal("00000040", Convert.ToHexStringLower(packet.AsSpan(0, 4)));
        Assert.Equal(Convert.ToHexStringLower(TestCase3Ciphertext), Convert.ToHexStringLower(packet.AsSpan(4)));
        Assert.Equal("e6114f6468325271e9b03b510a6dff85", Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void Two_packets_match_independent_vectors_and_open()
    {
        byte[] iv = Convert.FromHexString("cafebabefacedbaddecaf888");
        byte[] body1 = [4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xaa, 0xaa, 0xaa, 0xaa];
        byte[] body2 = [6, .. Enumerable.Range(100, 25).Select(i => (byte)i), 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb];
        (byte[] Plain, string Sealed, string Tag)[] packets =
        [
            ([0, 0, 0, 16, .. body1], "000000109fb22de5daf777c7e9232178818f58ac", "7675e080b7b1595948aa29bff0a74948"),
            ([0, 0, 0, 32, .. body2], "00000020837491c9369413fd5a87b30fbaebd9a57f0922cfeb077ba4670dde701b746a68", "d304d4aa2acfff56476ff7058381d2b5"),
        ];

        using PacketCipher sealer = AesGcmCipherAlgorithm.Aes128.Create(Key, iv, null, [], true);
        using PacketCipher opener = AesGcmCipherAlgorithm.Aes128.Create(Key, iv, null, [], false);
        uint sequence = 100;
        foreach (var (plain, expectedSealed, expectedTag) in packets)
        {
            byte[] packet = (byte[])plain.Clone();
            byte[] tag = new byte[16];
            sealer.Seal(sequence, packet, tag);
            Assert.Equal(expectedSealed, Convert.ToHexStringLower(packet));
            Assert.Equal(expectedTag, Convert.ToHexStringLower(tag));

            Assert.Equal((uint)plain.Length - 4, opener.DecryptLength(sequence, packet.AsSpan(0, 4)));
            Assert.True(opener.Open(sequence, packet, tag));
            Assert.Equal(plain, packet);
            sequence++;
        }
    }

    [Fact]
    public void Invocation_counter_wraps_modulo_2_64_and_keeps_the_fixed_field()
    {
        byte[] body = [4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xaa, 0xaa, 0xaa, 0xaa];
        using PacketCipher cipher = AesGcmCipherAlgorithm.Aes128.Create(Key, Convert.FromHexString("cafebabeffffffffffffffff"), null, [], true);
        string[] expected =
        [
            "cdf797967cdf4a100af65c86b3c71e4115981f6484de89baf75115182f95bfa6",
            "6a0bee84fb4405a1493058360a575bcb86f962b7281e636bf81d255eb496d8b7",
        ];
        foreach (string sealedBodyAndTag in expected)
        {
            byte[] packet = [0, 0, 0, 16, .. body];
            byte[] tag = new byte[16];
            cipher.Seal(0, packet, tag);
            Assert.Equal(sealedBodyAndTag, Convert.ToHexStringLower([.. packet.AsSpan(4), .. tag]));
        }
    }

    [Theory]
    [InlineData("aes128-gcm@openssh.com", 16)]
    [InlineData("aes256-gcm@openssh.com", 32)]
    public void Algorithms_declare_rfc5647_sizes(string name, int keyLength)
    {
        Assert.True(CipherAlgorithms.TryGet(name, out CipherAlgorithm? algorithm));
        Assert.Equal(keyLength, algorithm.KeyLength);
        Assert.Equal(12, algorithm.IvLength);
        Assert.True(algorithm.IsAead);
        using PacketCipher cipher = algorithm.Create(new byte[keyLength], new byte[12], null, [], true);
        Assert.Equal(16, cipher.BlockSize);
        Assert.Equal(16, cipher.TagLength);
        Assert.Equal(4, cipher.LengthPrefixSize);
        Assert.True(cipher.LengthOutsidePadding);
        Assert.Throws<ArgumentException>(() => algorithm.Create(new byte[keyLength], new byte[12], HmacSha2MacAlgorithm.HmacSha256Etm, new byte[32], true));
    }
}
