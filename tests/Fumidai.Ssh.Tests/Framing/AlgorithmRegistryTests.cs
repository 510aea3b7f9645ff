using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

public sealed class AlgorithmRegistryTests
{
    [Fact]
    public void Default_ciphers_are_the_aead_ones_in_preference_order()
    {
        Assert.Equal(["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"], CipherAlgorithms.DefaultNames);
        Assert.Equal([.. CipherAlgorithms.DefaultNames, "aes256-ctr", "aes128-ctr"], CipherAlgorithms.AllNames);
    }

    [Fact]
    public void Default_macs_are_encrypt_then_mac_only()
    {
        Assert.Equal(["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"], MacAlgorithms.DefaultNames);
        Assert.Equal([.. MacAlgorithms.DefaultNames, "hmac-sha2-256", "hmac-sha2-512"], MacAlgorithms.AllNames);
    }

    [Fact]
    public void Every_listed_name_resolves_to_an_algorithm_of_that_name()
    {
        foreach (string name in CipherAlgorithms.AllNames)
        {
            Assert.True(CipherAlgorithms.TryGet(name, out CipherAlgorithm? algorithm));
            Assert.Equal(name, algorithm.Name);
        }

        foreach (string name in MacAlgorithms.AllNames)
        {
            Assert.True(MacAlgorithms.TryGet(name, out MacAlgorithm? algorithm));
            Assert.Equal(name, algorithm.Name);
        }
    }

    [Theory]
    [InlineData("aes256-cbc")]
    [InlineData("3des-cbc")]
    [InlineData("AES256-CTR")]
    [InlineData("")]
    public void Unknown_or_refused_ciphers_are_not_found(string name) => Assert.False(CipherAlgorithms.TryGet(name, out _));

    [Theory]
    [InlineData("hmac-sha1")]
    [InlineData("hmac-sha1-etm@openssh.com")]
    [InlineData("umac-64@openssh.com")]
    [InlineData("hmac-sha2-256 ")]
    public void Unknown_or_refused_macs_are_not_found(string name) => Assert.False(MacAlgorithms.TryGet(name, out _));

    [Theory]
    [InlineData("hmac-sha2-256", 32, false)]
    [InlineData("hmac-sha2-512", 64, false)]
    [InlineData("hmac-sha2-256-etm@openssh.com", 32, true)]
    [InlineData("hmac-sha2-512-etm@openssh.com", 64, true)]
    public void Macs_declare_rfc6668_sizes(string name, int length, bool etm)
    {
        Assert.True(MacAlgorithms.TryGet(name, out MacAlgorithm? mac));
        Assert.Equal(length, mac.KeyLength);
        Assert.Equal(length, mac.TagLength);
        Assert.Equal(etm, mac.EncryptThenMac);
    }
}
