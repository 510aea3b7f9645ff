using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Targets;

public sealed class TargetCertificateTests
{
    private static readonly string[] Everything =
        ["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"];

    [Theory]
    [InlineData(true, false, new[] { "permit-pty" })]
    [InlineData(false, false, new string[0])]
    [InlineData(false, true, new[] { "permit-port-forwarding" })]
    public void The_certificate_grants_only_what_the_connection_is_for(bool pty, bool forwarding, string[] expected)
    {
        var certificate = Issue(new TargetUse(pty, forwarding), null);
        Assert.Equal(expected, certificate.Extensions.Select(e => e.Key));
        foreach (var name in Everything.Except(expected)) Assert.False(certificate.HasExtension(name), name);
        Assert.Empty(certificate.CriticalOptions);
    }

    [Fact]
    public void Agent_X11_and_user_rc_are_never_granted()
    {
        var certificate = Issue(new TargetUse(true, true), null);
        Assert.Equal(["permit-port-forwarding", "permit-pty"], certificate.Extensions.Select(e => e.Key));
    }

    [Fact]
    public void Source_address_is_a_critical_option_when_known()
    {
        var certificate = Issue(TargetUse.Session(true), "192.0.2.7");
        Assert.Equal("192.0.2.7", certificate.CriticalOption("source-address"));
        Assert.Equal(["source-address"], certificate.CriticalOptions.Select(o => o.Key));
        Assert.True(certificate.VerifyCaSignature());
        Assert.Equal(["root"], certificate.ValidPrincipals);
        Assert.Equal("fumidai:alice:s-1", certificate.KeyId);
    }

    private static SshCertificate Issue(TargetUse use, string? sourceAddress)
    {
        using var ca = SshPrivateKey.Generate("ssh-ed25519");
        using var key = SshPrivateKey.Generate("ssh-ed25519");
        return TargetCertificate.Issue(key.PublicKey, ca, "root", "fumidai:alice:s-1", TimeSpan.FromMinutes(5), use, sourceAddress);
    }
}
