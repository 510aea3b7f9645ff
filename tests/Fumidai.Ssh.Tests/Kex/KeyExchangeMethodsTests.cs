using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class KeyExchangeMethodsTests
{
    [Fact]
    public void All_names_are_the_implemented_methods()
    {
        Assert.Equal(
            ["mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org",
             "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"],
            KeyExchangeMethods.AllNames);
    }

    [Fact]
    public void Defaults_are_the_strong_subset_without_nist()
    {
        Assert.Equal(["mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org"], KeyExchangeMethods.DefaultNames);
        Assert.All(KeyExchangeMethods.DefaultNames, n => Assert.Contains(n, KeyExchangeMethods.AllNames));
        Assert.DoesNotContain(KeyExchangeMethods.DefaultNames, n => n.Contains("nistp", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_name_resolves_to_a_method_of_that_name()
    {
        foreach (string name in KeyExchangeMethods.AllNames)
        {
            Assert.True(KeyExchangeMethods.TryGet(name, out var method));
            Assert.Equal(name, method.Name);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("CURVE25519-SHA256")]
    [InlineData("diffie-hellman-group14-sha1")]
    [InlineData("sntrup761x25519-sha512@openssh.com")]
    [InlineData("curve25519-sha256,ecdh-sha2-nistp256")]
    public void Unknown_names_are_not_found(string name)
    {
        Assert.False(KeyExchangeMethods.TryGet(name, out var method));
        Assert.Null(method);
    }

    [Fact]
    public void Every_method_round_trips_through_hash_and_derivation()
    {
        // The transport's path end to end: both sides reach the same H and the same keys.
        byte[] ic = [20, 1, 2, 3];
        byte[] @is = [20, 4, 5, 6];
        byte[] ks = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32, .. new byte[32]];
        foreach (string name in KeyExchangeMethods.AllNames)
        {
            KeyExchangeMethods.TryGet(name, out var method);
            using var client = method!.StartAsClient();
            var server = method.RespondAsServer(client.ClientEphemeral);
            byte[] clientK = client.ComputeSharedSecret(server.ServerEphemeral);

            byte[] hServer = ExchangeHash.Compute(method.HashAlgorithm, "SSH-2.0-c", "SSH-2.0-s", ic, @is, ks,
                client.ClientEphemeral, server.ServerEphemeral, server.EncodedSharedSecret);
            byte[] hClient = ExchangeHash.Compute(method.HashAlgorithm, "SSH-2.0-c", "SSH-2.0-s", ic, @is, ks,
                client.ClientEphemeral, server.ServerEphemeral, clientK);
            Assert.Equal(hServer, hClient);
            Assert.Equal(
                KeyDerivation.Derive(method.HashAlgorithm, server.EncodedSharedSecret, hServer, 'C', hServer, 32),
                KeyDerivation.Derive(method.HashAlgorithm, clientK, hClient, 'C', hClient, 32));
        }
    }
}
