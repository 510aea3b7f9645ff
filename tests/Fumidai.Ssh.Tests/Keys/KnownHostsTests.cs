using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Keys;

public class KnownHostsTests
{
    private static readonly SshPrivateKey HostKey = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
    private static readonly SshPrivateKey OtherKey = SshPrivateKey.Generate(SshKeyTypes.EcdsaNistP256);

    [Fact]
    public void PlainAndBracketedPortLinesAsSshKeyscanWritesThem()
    {
        var hosts = KnownHosts.Parse(
            "# ssh-keyscan output\n" +
            "web01.example.com " + HostKey.PublicKey + "\n" +
            "[10.0.0.5]:2222 " + HostKey.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("web01.example.com", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("WEB01.example.com", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("10.0.0.5", 2222, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("10.0.0.5", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("web01.example.com", 2222, HostKey.PublicKey).Status);

        var mismatch = hosts.Check("web01.example.com", 22, OtherKey.PublicKey);
        Assert.Equal(KnownHostsStatus.Mismatch, mismatch.Status);
        Assert.Equal([HostKey.PublicKey.Fingerprint], mismatch.ExpectedFingerprints);
        Assert.Equal(OtherKey.PublicKey.Fingerprint, mismatch.PresentedFingerprint);
        Assert.Contains(HostKey.PublicKey.Fingerprint, mismatch.ToString());
        Assert.Contains(OtherKey.PublicKey.Fingerprint, mismatch.ToString());
    }

    [Fact]
    public void LinesHashedBySshKeygenMatch()
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("known_hosts");
        File.WriteAllText(path, "web01.example.com,10.0.0.7 " + HostKey.PublicKey + "\n[bastion.example.com]:2222 " + OtherKey.PublicKey + "\n");
        keygen.Run("-q", "-H", "-f", path);
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("example.com", text);
        var hosts = KnownHosts.Parse(text);
        Assert.All(hosts.Entries, e => Assert.True(e.IsHashed));
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("web01.example.com", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("10.0.0.7", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("bastion.example.com", 2222, OtherKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Mismatch, hosts.Check("web01.example.com", 22, OtherKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("web02.example.com", 22, HostKey.PublicKey).Status);
    }

    [Fact]
    public void NamesHashedHereAreFoundBySshKeygen()
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("known_hosts");
        File.WriteAllText(path, KnownHosts.HashHostName(KnownHosts.LookupName("db.example.com", 2200)) + " " + HostKey.PublicKey + "\n");
        var found = keygen.Run("-F", "[db.example.com]:2200", "-f", path).Stdout;
        Assert.Contains(HostKey.PublicKey.ToString(), found);
    }

    [Fact]
    public void WildcardsAndNegation()
    {
        var hosts = KnownHosts.Parse("*.example.com,!evil.example.com,10.1.?.1 " + HostKey.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("a.b.example.com", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("10.1.5.1", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("10.1.55.1", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("evil.example.com", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("example.com", 22, HostKey.PublicKey).Status);
    }

    [Fact]
    public void CertAuthorityLinesTrustValidHostCertificates()
    {
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var keygen = new SshKeygen();
        var caPath = keygen.PathOf("ca");
        File.WriteAllText(caPath, OpenSshPrivateKeyFile.Format(ca, "ca"));
        SshKeygen.WritePrivate(caPath);
        var hostPub = keygen.PathOf("host.pub");
        File.WriteAllText(hostPub, HostKey.PublicKey.ToOpenSsh("host") + "\n");
        // ssh-keygen mints the host certificate with our CA file.
        keygen.Run("-q", "-s", caPath, "-h", "-I", "web01", "-n", "web01.example.com", "-V", "+1h", hostPub);
        var cert = Assert.IsType<SshCertificate>(SshPublicKey.ParseOpenSsh(File.ReadAllText(keygen.PathOf("host-cert.pub"))));

        var hosts = KnownHosts.Parse("@cert-authority *.example.com " + ca.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Trusted, hosts.Check("web01.example.com", 22, cert).Status);
        var wrongName = hosts.Check("web02.example.com", 22, cert);
        Assert.Equal(KnownHostsStatus.Mismatch, wrongName.Status);
        Assert.Contains("does not name the host", wrongName.Reason);
        Assert.Equal(KnownHostsStatus.Mismatch, hosts.Check("web01.example.com", 22, cert, DateTimeOffset.UtcNow.AddHours(2)).Status);
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("web01.other.org", 22, cert).Status);
        // The plain key is not trusted by a CA line alone.
        Assert.Equal(KnownHostsStatus.Unknown, hosts.Check("web01.example.com", 22, HostKey.PublicKey).Status);
        // A certificate from an unlisted CA falls back to its plain key.
        var pinned = KnownHosts.Parse("web01.example.com " + HostKey.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Trusted, pinned.Check("web01.example.com", 22, cert).Status);
    }

    [Fact]
    public void RevokedKeysAndCasAreRefused()
    {
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var builder = new SshCertificateBuilder(HostKey.PublicKey, SshCertificateType.Host, "web01");
        builder.ValidPrincipals.Add("web01");
        var cert = builder.Sign(ca);
        var hosts = KnownHosts.Parse(
            "web01 " + HostKey.PublicKey + "\n" +
            "@revoked * " + HostKey.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Revoked, hosts.Check("web01", 22, HostKey.PublicKey).Status);
        Assert.Equal(KnownHostsStatus.Revoked, hosts.Check("web01", 22, cert).Status);
        var revokedCa = KnownHosts.Parse("@cert-authority * " + ca.PublicKey + "\n@revoked * " + ca.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Revoked, revokedCa.Check("web01", 22, cert).Status);
        var trustedCa = KnownHosts.Parse("@cert-authority * " + ca.PublicKey + "\n");
        Assert.Equal(KnownHostsStatus.Trusted, trustedCa.Check("web01", 22, cert).Status);
    }

    [Fact]
    public void BadLinesAreSkipped()
    {
        var hosts = KnownHosts.Parse("garbage\n@unknown-marker host " + HostKey.PublicKey + "\nhost ssh-ed25519 !!!\n|1|bad|hash " + HostKey.PublicKey + "\nhost " + HostKey.PublicKey + " comment here\n");
        var entry = Assert.Single(hosts.Entries);
        Assert.Equal("comment here", entry.Comment);
    }
}
