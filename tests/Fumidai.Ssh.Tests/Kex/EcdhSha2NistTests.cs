using System.Numerics;
using System.Security.Cryptography;
using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class EcdhSha2NistTests
{
    public static TheoryData<string> Names => new() { "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521" };

    private static EcdhSha2Nist Method(string name) => name switch
    {
        "ecdh-sha2-nistp256" => EcdhSha2Nist.P256,
        "ecdh-sha2-nistp384" => EcdhSha2Nist.P384,
        _ => EcdhSha2Nist.P521,
    };

    private static (ECCurve Curve, int Size, HashAlgorithmName Hash) Expected(string name) => name switch
    {
        "ecdh-sha2-nistp256" => (ECCurve.NamedCurves.nistP256, 32, HashAlgorithmName.SHA256),
        "ecdh-sha2-nistp384" => (ECCurve.NamedCurves.nistP384, 48, HashAlgorithmName.SHA384),
        _ => (ECCurve.NamedCurves.nistP521, 66, HashAlgorithmName.SHA512),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Client_and_server_agree(string name)
    {
        var method = Method(name);
        var (_, size, hash) = Expected(name);
        Assert.Equal(name, method.Name);
        Assert.Equal(hash, method.HashAlgorithm);

        using var client = method.StartAsClient();
        Assert.Equal(1 + 2 * size, client.ClientEphemeral.Length);
        Assert.Equal(0x04, client.ClientEphemeral[0]);
        var server = method.RespondAsServer(client.ClientEphemeral);
        Assert.Equal(1 + 2 * size, server.ServerEphemeral.Length);
        Assert.Equal(server.EncodedSharedSecret, client.ComputeSharedSecret(server.ServerEphemeral));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Server_secret_is_mpint_of_independently_derived_x_coordinate(string name)
    {
        var (curve, size, _) = Expected(name);
        using var peer = ECDiffieHellman.Create(curve);
        var q = peer.ExportParameters(false).Q;
        byte[] qc = [0x04, .. Pad(q.X!, size), .. Pad(q.Y!, size)];

        var server = Method(name).RespondAsServer(qc);

        using var serverKey = ECDiffieHellman.Create(new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = server.ServerEphemeral[1..(1 + size)], Y = server.ServerEphemeral[(1 + size)..] },
        });
        byte[] x = peer.DeriveRawSecretAgreement(serverKey.PublicKey);
        Assert.Equal(SharedSecretEncoding.AsMpint(x), server.EncodedSharedSecret);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Point_not_on_curve_is_rejected_both_roles(string name)
    {
        var method = Method(name);
        using var client = method.StartAsClient();
        byte[] bad = (byte[])client.ClientEphemeral.Clone();
        bad[^1] ^= 0x01;

        var ex = Assert.Throws<SshProtocolException>(() => method.RespondAsServer(bad));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
        ex = Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(bad));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Degenerate_points_are_rejected(string name)
    {
        var method = Method(name);
        int size = Expected(name).Size;
        byte[] zeros = new byte[1 + 2 * size];
        zeros[0] = 0x04;
        byte[] ones = Enumerable.Repeat((byte)0xFF, 1 + 2 * size).ToArray();
        ones[0] = 0x04;
        Assert.Throws<SshProtocolException>(() => method.RespondAsServer(zeros));
        Assert.Throws<SshProtocolException>(() => method.RespondAsServer(ones));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Compressed_or_wrong_length_points_are_rejected(string name)
    {
        var method = Method(name);
        using var client = method.StartAsClient();
        byte[] valid = client.ClientEphemeral;
        int size = Expected(name).Size;

        byte[] compressed = [(byte)(0x02 | (valid[^1] & 1)), .. valid[1..(1 + size)]];
        byte[] wrongPrefix = (byte[])valid.Clone();
        wrongPrefix[0] = 0x06;

        foreach (var bad in new[] { compressed, wrongPrefix, valid[..^1], [.. valid, 0], [], [0x00] })
        {
            var ex = Assert.Throws<SshProtocolException>(() => method.RespondAsServer(bad));
            Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
            Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(bad));
        }
    }

    [Fact]
    public void Non_canonical_coordinate_is_rejected()
    {
        // P-521 coordinates travel in 66 bytes but the field is 521 bits, so X + p still fits: the same point
        // modulo p, but an encoding outside [0, p-1] that SEC 1 §3.2.2.1 requires us to refuse.
        using var client = EcdhSha2Nist.P521.StartAsClient();
        byte[] valid = client.ClientEphemeral;
        var x = new BigInteger(valid.AsSpan(1, 66), isUnsigned: true, isBigEndian: true);
        var p = BigInteger.Pow(2, 521) - 1;
        byte[] shifted = (x + p).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] bad = [0x04, .. Pad(shifted, 66), .. valid.AsSpan(67)];

        var ex = Assert.Throws<SshProtocolException>(() => EcdhSha2Nist.P521.RespondAsServer(bad));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    private static byte[] Pad(byte[] value, int size)
    {
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }
}
