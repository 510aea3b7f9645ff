using System.Security.Cryptography;
using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class KeyDerivationTests
{
    private static readonly byte[] K = [0, 0, 0, 33, 0, .. Enumerable.Range(0x80, 32).Select(i => (byte)i)];
    private static readonly byte[] H = SHA256.HashData("exchange hash"u8);
    private static readonly byte[] SessionId = SHA256.HashData("first exchange hash"u8);

    [Theory]
    [InlineData('A', 12)]
    [InlineData('B', 16)]
    [InlineData('C', 32)]
    [InlineData('D', 1)]
    public void Single_block_is_hash_of_k_h_letter_session_id(char letter, int length)
    {
        byte[] expected = SHA256.HashData([.. K, .. H, (byte)letter, .. SessionId])[..length];
        Assert.Equal(expected, KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, letter, SessionId, length));
    }

    [Fact]
    public void Longer_output_extends_with_hash_of_everything_so_far()
    {
        // 80 bytes from SHA-256 needs K1, K2 = HASH(K||H||K1), K3 = HASH(K||H||K1||K2).
        byte[] k1 = SHA256.HashData([.. K, .. H, (byte)'E', .. SessionId]);
        byte[] k2 = SHA256.HashData([.. K, .. H, .. k1]);
        byte[] k3 = SHA256.HashData([.. K, .. H, .. k1, .. k2]);
        byte[] expected = [.. k1, .. k2, .. k3[..16]];
        Assert.Equal(expected, KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, 'E', SessionId, 80));
    }

    [Fact]
    public void Exactly_two_blocks_with_sha512()
    {
        byte[] h = SHA512.HashData("h"u8);
        byte[] k1 = SHA512.HashData([.. K, .. h, (byte)'F', .. SessionId]);
        byte[] k2 = SHA512.HashData([.. K, .. h, .. k1]);
        Assert.Equal([.. k1, .. k2], KeyDerivation.Derive(HashAlgorithmName.SHA512, K, h, 'F', SessionId, 128));
    }

    [Fact]
    public void Session_id_differs_from_h_after_rekey()
    {
        byte[] sameAsFirst = KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, 'C', H, 32);
        byte[] rekeyed = KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, 'C', SessionId, 32);
        Assert.NotEqual(sameAsFirst, rekeyed);
    }

    [Fact]
    public void Zero_length_gives_empty_output()
    {
        Assert.Empty(KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, 'A', SessionId, 0));
    }

    [Theory]
    [InlineData('@')]
    [InlineData('G')]
    [InlineData('a')]
    public void Letters_outside_A_to_F_are_refused(char letter)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyDerivation.Derive(HashAlgorithmName.SHA256, K, H, letter, SessionId, 16));
    }
}
