using Fumidai.Ssh.Kex;
using NSec.Cryptography;

namespace Fumidai.Ssh.Tests.Kex;

public class X25519AgreementTests
{
    private static Key ImportPrivate(string hex) =>
        Key.Import(KeyAgreementAlgorithm.X25519, Convert.FromHexString(hex), KeyBlobFormat.RawPrivateKey);

    [Fact]
    public void Rfc7748_public_keys_match()
    {
        using var alice = ImportPrivate(X25519Vectors.AlicePrivate);
        using var bob = ImportPrivate(X25519Vectors.BobPrivate);
        Assert.Equal(X25519Vectors.AlicePublic, Convert.ToHexStringLower(X25519Agreement.PublicKeyOf(alice)));
        Assert.Equal(X25519Vectors.BobPublic, Convert.ToHexStringLower(X25519Agreement.PublicKeyOf(bob)));
    }

    [Fact]
    public void Rfc7748_shared_secret_both_directions()
    {
        using var alice = ImportPrivate(X25519Vectors.AlicePrivate);
        using var bob = ImportPrivate(X25519Vectors.BobPrivate);
        var a = new byte[32];
        var b = new byte[32];
        X25519Agreement.Agree("test", alice, Convert.FromHexString(X25519Vectors.BobPublic), a);
        X25519Agreement.Agree("test", bob, Convert.FromHexString(X25519Vectors.AlicePublic), b);
        Assert.Equal(X25519Vectors.Shared, Convert.ToHexStringLower(a));
        Assert.Equal(X25519Vectors.Shared, Convert.ToHexStringLower(b));
    }

    [Theory]
    [MemberData(nameof(X25519Vectors.LowOrderPoints), MemberType = typeof(X25519Vectors))]
    public void Low_order_peer_point_is_rejected(string hex)
    {
        using var alice = ImportPrivate(X25519Vectors.AlicePrivate);
        var ex = Assert.Throws<SshProtocolException>(() =>
            X25519Agreement.Agree("test", alice, Convert.FromHexString(hex), new byte[32]));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Wrong_length_is_rejected(int length)
    {
        using var alice = ImportPrivate(X25519Vectors.AlicePrivate);
        var ex = Assert.Throws<SshProtocolException>(() =>
            X25519Agreement.Agree("test", alice, new byte[length], new byte[32]));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }
}
