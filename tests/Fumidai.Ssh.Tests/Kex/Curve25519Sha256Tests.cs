using System.Security.Cryptography;
using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class Curve25519Sha256Tests
{
    public static TheoryData<string> Names => new() { "curve25519-sha256", "curve25519-sha256@libssh.org" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Client_and_server_agree(string name)
    {
        var method = Method(name);
        Assert.Equal(name, method.Name);
        Assert.Equal(HashAlgorithmName.SHA256, method.HashAlgorithm);

        using var client = method.StartAsClient();
        Assert.Equal(32, client.ClientEphemeral.Length);
        var server = method.RespondAsServer(client.ClientEphemeral);
        Assert.Equal(32, server.ServerEphemeral.Length);
        byte[] clientK = client.ComputeSharedSecret(server.ServerEphemeral);

        Assert.Equal(server.EncodedSharedSecret, clientK);
        // mpint of 32 bytes: 4-byte length then 31..33 bytes.
        Assert.InRange(clientK.Length, 4 + 1, 4 + 33);
    }

    [Theory]
    [MemberData(nameof(X25519Vectors.LowOrderPoints), MemberType = typeof(X25519Vectors))]
    public void Server_rejects_low_order_client_point(string hex)
    {
        var ex = Assert.Throws<SshProtocolException>(() => Curve25519Sha256.Standard.RespondAsServer(Convert.FromHexString(hex)));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [MemberData(nameof(X25519Vectors.LowOrderPoints), MemberType = typeof(X25519Vectors))]
    public void Client_rejects_low_order_server_point(string hex)
    {
        using var client = Curve25519Sha256.Standard.StartAsClient();
        var ex = Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(Convert.FromHexString(hex)));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(65)]
    public void Wrong_lengths_are_rejected_both_roles(int length)
    {
        var bad = new byte[length];
        if (length > 0) bad[0] = 9;
        Assert.Throws<SshProtocolException>(() => Curve25519Sha256.Standard.RespondAsServer(bad));
        using var client = Curve25519Sha256.Standard.StartAsClient();
        Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(bad));
    }

    private static Curve25519Sha256 Method(string name) =>
        name == Curve25519Sha256.StandardName ? Curve25519Sha256.Standard : Curve25519Sha256.Libssh;
}
