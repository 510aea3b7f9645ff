using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Keys;
using NSec.Cryptography;

namespace Fumidai.Ssh.Tests.Keys;

/// <summary>No authenticator here: the tests play the token with software keys, following PROTOCOL.u2f.</summary>
public class SkKeyTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("userauth request");

    [Fact]
    public void SkEd25519VerifiesAndReportsFlags()
    {
        using var token = Key.Create(SignatureAlgorithm.Ed25519);
        var key = new SkEd25519PublicKey(token.PublicKey.Export(KeyBlobFormat.RawPublicKey), "ssh:");
        var parsed = Assert.IsType<SkEd25519PublicKey>(SshPublicKey.FromBlob(key.Blob.Span));
        Assert.Equal("ssh:", parsed.Application);

        byte[] SignAs(SkFlags flags, uint counter) => SkSignedMessage.Encode(SshKeyTypes.SkEd25519,
            SignatureAlgorithm.Ed25519.Sign(token, SkSignedMessage.Build("ssh:", flags, counter, Data)), new(flags, counter));

        var touched = SignAs(SkFlags.UserPresent | SkFlags.UserVerified, 42);
        Assert.True(parsed.Verify(Data, touched));
        Assert.True(parsed.TryVerify(Data, touched, null, out var info));
        Assert.Equal(new SkSignatureInfo(SkFlags.UserPresent | SkFlags.UserVerified, 42), info);

        var untouched = SignAs(SkFlags.None, 43);
        Assert.False(parsed.Verify(Data, untouched));
        Assert.True(parsed.TryVerify(Data, untouched, null, out info));
        Assert.Equal(SkFlags.None, info.Flags);

        // Flipping the flag byte in transit breaks the signature.
        var forged = (byte[])untouched.Clone();
        forged[^5] = (byte)SkFlags.UserPresent;
        Assert.False(parsed.TryVerify(Data, forged, null, out _));
    }

    [Fact]
    public void SkEcdsaVerifies()
    {
        using var token = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = token.ExportParameters(false).Q;
        var key = new SkEcdsaPublicKey([0x04, .. q.X!, .. q.Y!], "ssh:");
        var parsed = Assert.IsType<SkEcdsaPublicKey>(SshPublicKey.FromBlob(key.Blob.Span));

        var rs = token.SignData(SkSignedMessage.Build("ssh:", SkFlags.UserPresent, 9, Data), HashAlgorithmName.SHA256);
        using var inner = new Fumidai.Ssh.Wire.SshWriter();
        inner.WriteUnsignedMPInt(rs.AsSpan(0, 32));
        inner.WriteUnsignedMPInt(rs.AsSpan(32));
        var signature = SkSignedMessage.Encode(SshKeyTypes.SkEcdsaNistP256, inner.WrittenSpan, new(SkFlags.UserPresent, 9));
        Assert.True(parsed.Verify(Data, signature));
        Assert.False(parsed.Verify(Encoding.UTF8.GetBytes("other"), signature));
    }
}
