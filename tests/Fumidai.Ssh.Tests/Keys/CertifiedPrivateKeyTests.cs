using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Keys;

public class CertifiedPrivateKeyTests
{
    [Fact]
    public void RsaCertifiedKeyOffersCertAlgorithmsAndSignsWithPlainOnes()
    {
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var user = SshPrivateKey.Generate(SshKeyTypes.Rsa, 2048);
        var builder = new SshCertificateBuilder(user.PublicKey, SshCertificateType.User, "alice");
        builder.ValidPrincipals.Add("alice");
        using var certified = new SshCertifiedPrivateKey(user, builder.Sign(ca));
        Assert.Equal(["rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com"], certified.SignatureAlgorithms);
        Assert.Equal("ssh-rsa-cert-v01@openssh.com", certified.PublicKey.KeyType);

        var data = Encoding.UTF8.GetBytes("session id || request");
        var signature = certified.Sign("rsa-sha2-256-cert-v01@openssh.com", data);
        Assert.True(certified.PublicKey.Verify(data, signature, ["rsa-sha2-256-cert-v01@openssh.com"]));
        Assert.False(certified.PublicKey.Verify(data, signature, ["rsa-sha2-512-cert-v01@openssh.com"]));
        // The blob inside names the plain algorithm.
        var reader = new Fumidai.Ssh.Wire.SshReader(signature);
        Assert.Equal("rsa-sha2-256", reader.ReadString());
    }

    [Fact]
    public void SkCertificateNamesMapBothWays()
    {
        Assert.Equal("sk-ssh-ed25519-cert-v01@openssh.com", SshKeyTypes.WithCertSuffix(SshKeyTypes.SkEd25519));
        Assert.Equal(SshKeyTypes.SkEcdsaNistP256, SshKeyTypes.WithoutCertSuffix("sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"));
        Assert.Equal("ssh-ed25519", SshKeyTypes.WithoutCertSuffix("ssh-ed25519-cert-v01@openssh.com"));
    }

    [Fact]
    public void CertificateForAnotherKeyIsRefused()
    {
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var user = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var other = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var cert = new SshCertificateBuilder(other.PublicKey, SshCertificateType.User, "x").Sign(ca);
        Assert.Throws<ArgumentException>(() => new SshCertifiedPrivateKey(user, cert));
    }
}
