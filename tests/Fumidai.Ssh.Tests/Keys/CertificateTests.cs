using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Keys;

public class CertificateTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("userauth request");

    public static TheoryData<string, string> Pairs => new()
    {
        { SshKeyTypes.Ed25519, SshKeyTypes.Ed25519 },
        { SshKeyTypes.EcdsaNistP256, SshKeyTypes.Rsa },
        { SshKeyTypes.EcdsaNistP384, SshKeyTypes.EcdsaNistP521 },
        { SshKeyTypes.Rsa, SshKeyTypes.EcdsaNistP256 },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void CertificateMintedHereIsShownBySshKeygen(string userType, string caType)
    {
        using var keygen = new SshKeygen();
        using var ca = SshPrivateKey.Generate(caType, caType == SshKeyTypes.Rsa ? 2048 : null);
        using var user = SshPrivateKey.Generate(userType, userType == SshKeyTypes.Rsa ? 2048 : null);
        var after = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var builder = new SshCertificateBuilder(user.PublicKey, SshCertificateType.User, "alice.smith@example.com") { Serial = 12345, ValidAfter = after, ValidBefore = after.AddMinutes(5) };
        builder.ValidPrincipals.AddRange(["ec2-user", "alice"]);
        builder.CriticalOptions["force-command"] = "echo hello";
        builder.CriticalOptions["source-address"] = "10.0.0.0/8,192.168.1.1";
        builder.WithDefaultUserExtensions();
        var cert = builder.Sign(ca);
        Assert.Equal(SshKeyTypes.WithCertSuffix(userType), cert.KeyType);

        var path = keygen.PathOf("id-cert.pub");
        File.WriteAllText(path, cert.ToOpenSsh("minted") + "\n");
        var output = keygen.Run("-L", "-f", path).Stdout;
        var fields = ParseListing(output);
        Assert.Equal(cert.KeyType + " user certificate", fields["Type"][0]);
        Assert.EndsWith(" " + user.PublicKey.Fingerprint, fields["Public key"][0]);
        string expectedAlgorithm = caType == SshKeyTypes.Rsa ? SshKeyTypes.RsaSha2_512 : caType;
        Assert.EndsWith(" " + ca.PublicKey.Fingerprint + " (using " + expectedAlgorithm + ")", fields["Signing CA"][0]);
        Assert.Equal("\"alice.smith@example.com\"", fields["Key ID"][0]);
        Assert.Equal("12345", fields["Serial"][0]);
        Assert.Equal("from 2030-01-02T03:04:05 to 2030-01-02T03:09:05", fields["Valid"][0]);
        Assert.Equal(["ec2-user", "alice"], fields["Principals"]);
        Assert.Equal(["force-command echo hello", "source-address 10.0.0.0/8,192.168.1.1"], fields["Critical Options"]);
        Assert.Equal(["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"], fields["Extensions"]);

        // Signatures by the certified key verify through the certificate, under either algorithm name.
        var signature = user.Sign(user.SignatureAlgorithms[0], Data);
        Assert.True(cert.Verify(Data, signature));
        Assert.True(cert.Verify(Data, signature, [cert.SignatureAlgorithms[0]]));
        Assert.True(cert.Verify(Data, signature, [user.SignatureAlgorithms[0]]));
    }

    [Fact]
    public void HostCertificateIsShownAsHostCertificate()
    {
        using var keygen = new SshKeygen();
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var host = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var builder = new SshCertificateBuilder(host.PublicKey, SshCertificateType.Host, "web01");
        builder.ValidPrincipals.Add("web01.example.com");
        var cert = builder.Sign(ca);
        var path = keygen.PathOf("host-cert.pub");
        File.WriteAllText(path, cert.ToOpenSsh() + "\n");
        var fields = ParseListing(keygen.Run("-L", "-f", path).Stdout);
        Assert.Equal(cert.KeyType + " host certificate", fields["Type"][0]);
        Assert.Equal("forever", fields["Valid"][0]);
        Assert.True(CertificateValidation.ValidateHostCertificate(cert, [ca.PublicKey], "web01.example.com", DateTimeOffset.UtcNow, out var reason), reason);
        Assert.False(CertificateValidation.ValidateHostCertificate(cert, [ca.PublicKey], "web02.example.com", DateTimeOffset.UtcNow, out _));
        Assert.False(CertificateValidation.ValidateUserCertificate(cert, [ca.PublicKey], "web01.example.com", DateTimeOffset.UtcNow, null, out _));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public void CertificateMadeBySshKeygenValidates(string caType)
    {
        using var keygen = new SshKeygen();
        var caPath = keygen.Generate(caType, null, "", "ca");
        var userPath = keygen.Generate("ed25519", null, "", "user");
        keygen.Run("-q", "-s", caPath, "-I", "alice@corp", "-n", "alice", "-V", "+5m", "-z", "7", userPath + ".pub");
        var cert = Assert.IsType<SshCertificate>(SshPublicKey.ParseOpenSsh(File.ReadAllText(userPath + "-cert.pub")));
        var ca = SshPublicKey.ParseOpenSsh(File.ReadAllText(caPath + ".pub"));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal("alice@corp", cert.KeyId);
        Assert.Equal(7UL, cert.Serial);
        Assert.Equal(SshCertificateType.User, cert.CertificateType);
        Assert.True(cert.HasExtension("permit-pty"));
        Assert.True(CertificateValidation.ValidateUserCertificate(cert, [ca], "alice", now, "203.0.113.9", out var reason), reason);

        Assert.False(CertificateValidation.ValidateUserCertificate(cert, [ca], "bob", now, null, out reason));
        Assert.Contains("principal", reason);
        Assert.False(CertificateValidation.ValidateUserCertificate(cert, [ca], "alice", now.AddMinutes(10), null, out reason));
        Assert.Contains("expired", reason);
        Assert.False(CertificateValidation.ValidateUserCertificate(cert, [ca], "alice", now.AddMinutes(-10), null, out reason));
        Assert.Contains("not yet valid", reason);
        using var otherCa = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        Assert.False(CertificateValidation.ValidateUserCertificate(cert, [otherCa.PublicKey], "alice", now, null, out reason));
        Assert.Contains("untrusted CA", reason);

        // Flip a bit inside the CA signature, then inside the signed key id: both must fail the signature check.
        var blob = cert.Blob.ToArray();
        var tampered = (byte[])blob.Clone();
        tampered[^5] ^= 0x01;
        var badSignature = (SshCertificate)SshPublicKey.FromBlob(tampered);
        Assert.False(CertificateValidation.ValidateUserCertificate(badSignature, [ca], "alice", now, null, out reason));
        Assert.Contains("signature", reason);
        int keyIdAt = blob.AsSpan().IndexOf("alice@corp"u8);
        tampered = (byte[])blob.Clone();
        tampered[keyIdAt] = (byte)'m';
        Assert.False(CertificateValidation.ValidateUserCertificate((SshCertificate)SshPublicKey.FromBlob(tampered), [ca], "alice", now, null, out _));
    }

    [Fact]
    public void CriticalOptionsAreEnforced()
    {
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        using var user = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        SshCertificate Make(string option, string value)
        {
            var builder = new SshCertificateBuilder(user.PublicKey, SshCertificateType.User, "id");
            builder.ValidPrincipals.Add("alice");
            builder.CriticalOptions[option] = value;
            return builder.Sign(ca);
        }
        var now = DateTimeOffset.UtcNow;
        var restricted = Make("source-address", "10.0.0.0/8, 2001:db8::/32");
        Assert.True(CertificateValidation.ValidateUserCertificate(restricted, [ca.PublicKey], "alice", now, "10.9.8.7", out _));
        Assert.True(CertificateValidation.ValidateUserCertificate(restricted, [ca.PublicKey], "alice", now, "::ffff:10.9.8.7", out _));
        Assert.True(CertificateValidation.ValidateUserCertificate(restricted, [ca.PublicKey], "alice", now, "2001:db8::1", out _));
        Assert.False(CertificateValidation.ValidateUserCertificate(restricted, [ca.PublicKey], "alice", now, "11.0.0.1", out _));
        Assert.False(CertificateValidation.ValidateUserCertificate(restricted, [ca.PublicKey], "alice", now, null, out _));
        var unknown = Make("no-such-option@example.com", "");
        Assert.False(CertificateValidation.ValidateUserCertificate(unknown, [ca.PublicKey], "alice", now, null, out var reason));
        Assert.Contains("unknown critical option", reason);
        var forced = Make("force-command", "/usr/bin/true");
        Assert.True(CertificateValidation.ValidateUserCertificate(forced, [ca.PublicKey], "alice", now, null, out _));
        Assert.Equal("/usr/bin/true", forced.CriticalOption("force-command"));
    }

    /// <summary>Splits ssh-keygen -L output into "Field: value" and indented lists under "Field:".</summary>
    private static Dictionary<string, List<string>> ParseListing(string output)
    {
        var fields = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var raw in output.Split('\n').Skip(1))
        {
            if (raw.Trim().Length == 0) continue;
            int indent = raw.Length - raw.TrimStart().Length;
            var line = raw.Trim();
            if (indent >= 16 && current is not null)
            {
                current.Add(line);
                continue;
            }
            int colon = line.IndexOf(':');
            current = [];
            fields[line[..colon]] = current;
            var value = line[(colon + 1)..].Trim();
            if (value.Length > 0 && value != "(none)") current.Add(value);
        }
        return fields;
    }
}
