using System.Text;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Tests.Keys;

public class KeyPairTests
{
    public static TheoryData<string> KeyTypes => new()
    {
        SshKeyTypes.Ed25519, SshKeyTypes.EcdsaNistP256, SshKeyTypes.EcdsaNistP384, SshKeyTypes.EcdsaNistP521, SshKeyTypes.Rsa,
    };

    private static readonly byte[] Data = Encoding.UTF8.GetBytes("exchange hash or session id || userauth request");

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void GeneratedKeySignsAndBlobRoundTrips(string keyType)
    {
        using var key = SshPrivateKey.Generate(keyType, keyType == SshKeyTypes.Rsa ? 2048 : null);
        var decoded = SshPublicKey.FromBlob(key.PublicKey.Blob.Span);
        Assert.Equal(keyType, decoded.KeyType);
        Assert.True(decoded.BlobEquals(key.PublicKey));
        foreach (var algorithm in key.SignatureAlgorithms)
        {
            var signature = key.Sign(algorithm, Data);
            Assert.True(decoded.Verify(Data, signature));
            Assert.True(decoded.Verify(Data, signature, [algorithm]));
            Assert.False(decoded.Verify(Data, signature, ["something-else"]));
            Assert.False(decoded.Verify(Encoding.UTF8.GetBytes("other data"), signature));
            var tampered = (byte[])signature.Clone();
            tampered[^3] ^= 0x40;
            Assert.False(decoded.Verify(Data, tampered));
            Assert.False(decoded.Verify(Data, signature.AsSpan(0, signature.Length - 1)));
        }
    }

    [Fact]
    public void RsaOffersSha2OnlyAndRefusesSha1Signatures()
    {
        using var key = SshPrivateKey.Generate(SshKeyTypes.Rsa, 2048);
        Assert.Equal([SshKeyTypes.RsaSha2_512, SshKeyTypes.RsaSha2_256], key.SignatureAlgorithms);
        Assert.Equal(2048, ((RsaPublicKey)key.PublicKey).KeySizeBits);
        Assert.Throws<ArgumentException>(() => key.Sign("ssh-rsa", Data));
        // An rsa-sha2-256 signature relabelled as ssh-rsa must simply fail.
        var reader = new SshReader(key.Sign(SshKeyTypes.RsaSha2_256, Data));
        reader.ReadString();
        using var writer = new SshWriter();
        writer.WriteString("ssh-rsa");
        writer.WriteBinary(reader.ReadBinary());
        Assert.False(key.PublicKey.Verify(Data, writer.WrittenSpan));
    }

    [Fact]
    public void RsaBelow2048BitsIsNotGenerated() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SshPrivateKey.Generate(SshKeyTypes.Rsa, 1024));

    [Fact]
    public void SignatureOfOneTypeDoesNotVerifyWithAnother()
    {
        using var ed = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var ec = SshPrivateKey.Generate(SshKeyTypes.EcdsaNistP256);
        Assert.False(ec.PublicKey.Verify(Data, ed.Sign(SshKeyTypes.Ed25519, Data)));
        Assert.False(ed.PublicKey.Verify(Data, ec.Sign(SshKeyTypes.EcdsaNistP256, Data)));
    }

    [Fact]
    public void MalformedBlobsThrowProtocolExceptionAndUnknownTypesNotSupported()
    {
        using var key = SshPrivateKey.Generate(SshKeyTypes.EcdsaNistP256);
        var blob = key.PublicKey.Blob.ToArray();
        for (int cut = 0; cut < blob.Length; cut++)
        {
            Assert.Throws<SshProtocolException>(() => SshPublicKey.FromBlob(blob.AsSpan(0, cut)));
            Assert.False(SshPublicKey.TryFromBlob(blob.AsSpan(0, cut), out _));
        }
        Assert.Throws<SshProtocolException>(() => SshPublicKey.FromBlob([.. blob, 0]));
        var offCurve = (byte[])blob.Clone();
        offCurve[^1] ^= 1;
        Assert.Throws<SshProtocolException>(() => SshPublicKey.FromBlob(offCurve));

        using var writer = new SshWriter();
        writer.WriteString("ssh-dss");
        writer.WriteBinary([1, 2, 3]);
        Assert.Throws<NotSupportedException>(() => SshPublicKey.FromBlob(writer.WrittenSpan));
        Assert.False(SshPublicKey.TryFromBlob(writer.WrittenSpan, out _));
    }

    [Fact]
    public void GarbageSignatureBlobsReturnFalse()
    {
        using var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(0, 120)];
            random.NextBytes(garbage);
            Assert.False(key.PublicKey.Verify(Data, garbage));
        }
    }
}
