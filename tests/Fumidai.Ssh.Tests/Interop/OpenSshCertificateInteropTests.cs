using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.TestHost;

namespace Fumidai.Ssh.Tests.Interop;

/// <summary>OpenSSH certificates between Debian's client and our server role: user certificates in, host certificates out.</summary>
public sealed class OpenSshCertificateInteropTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("fumidai-certs");
    private readonly SshPrivateKey _userCa = SshPrivateKey.Generate("ssh-ed25519");
    private readonly SshPrivateKey _hostCa = SshPrivateKey.Generate("ssh-ed25519");
    private TestSshServer _server = null!;
    private string _userKey = "";

    public async Task InitializeAsync()
    {
        _userKey = await UserKeys.CreateAsync(_directory, "ed25519");
        _server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = _directory.Combine("hostkeys"),
            HostCertificateAuthority = _hostCa,
            Authentication = new ServerAuthenticationSettings { TrustedUserCaKeys = [_userCa.PublicKey], FailureDelay = TimeSpan.FromMilliseconds(20) },
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    private string MintUserCertificate(string name, string principal, TimeSpan validFor, TimeSpan? validFrom = null, SshPrivateKey? ca = null)
    {
        var key = SshPublicKey.ParseOpenSsh(File.ReadAllText(_userKey + ".pub"));
        var builder = new SshCertificateBuilder(key, SshCertificateType.User, "person:" + name)
        {
            ValidAfter = DateTimeOffset.UtcNow + (validFrom ?? TimeSpan.FromMinutes(-1)),
            ValidBefore = DateTimeOffset.UtcNow + validFor,
        };
        builder.ValidPrincipals.Add(principal);
        builder.WithDefaultUserExtensions();
        string path = _directory.Combine($"cert-{name}-cert.pub");
        File.WriteAllText(path, builder.Sign(ca ?? _userCa).ToOpenSsh() + "\n");
        return path;
    }

    private OpenSshClient PinnedClient() => new(_directory, _server.Port, _server.HostKeys.Skip(1).Select(k => k.PublicKey));

    [Fact]
    public async Task User_certificate_from_the_trusted_ca_is_accepted_and_reaches_the_application()
    {
        string certificate = MintUserCertificate("alice", "alice", TimeSpan.FromMinutes(5));
        var result = await PinnedClient().ExecAsync("alice", _userKey, "exit 0", ["CertificateFile=" + certificate, "PreferredAuthentications=publickey"]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        lock (_server.Application.Attempts)
        {
            var attempt = _server.Application.Attempts.OfType<PublicKeyAttempt>().Last();
            Assert.Equal("person:alice", Assert.IsType<SshCertificate>(attempt.Key).KeyId);
        }
    }

    [Fact]
    public async Task Certificate_for_another_principal_is_refused()
    {
        string certificate = MintUserCertificate("bob", "bob", TimeSpan.FromMinutes(5));
        var result = await PinnedClient().ExecAsync("alice", _userKey, "exit 0", ["CertificateFile=" + certificate, "PreferredAuthentications=publickey"]);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.StandardError);
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        string certificate = MintUserCertificate("carol", "carol", TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(-10));
        var result = await PinnedClient().ExecAsync("carol", _userKey, "exit 0", ["CertificateFile=" + certificate, "PreferredAuthentications=publickey"]);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.StandardError);
        // The application hears of the refusal, to keep a record of it, and that the certificate is really from its CA.
        var refused = RefusalFor("carol");
        Assert.Equal("certificate has expired", refused.Reason);
        Assert.True(refused.FromTrustedCa);
    }

    [Fact]
    public async Task Certificate_from_another_CA_is_refused_and_told_as_not_from_a_trusted_CA()
    {
        string certificate = MintUserCertificate("dora", "dora", TimeSpan.FromMinutes(5), ca: SshPrivateKey.Generate("ssh-ed25519"));
        var result = await PinnedClient().ExecAsync("dora", _userKey, "exit 0", ["CertificateFile=" + certificate, "PreferredAuthentications=publickey"]);
        Assert.Equal(255, result.ExitCode);
        var refused = RefusalFor("dora");
        Assert.StartsWith("certificate signed by an untrusted CA", refused.Reason);
        Assert.False(refused.FromTrustedCa);
    }

    private RefusedCertificateAttempt RefusalFor(string user)
    {
        lock (_server.Application.Attempts)
            return _server.Application.Attempts.OfType<RefusedCertificateAttempt>().Single(a => a.UserName == user);
    }

    [Fact]
    public async Task Client_trusts_our_host_certificate_through_a_cert_authority_line()
    {
        string certificate = MintUserCertificate("dave", "dave", TimeSpan.FromMinutes(5));
        // Only the CA is known: no plain host key is pinned, so trust can only come from the certificate.
        var client = new OpenSshClient(_directory, _server.Port, []);
        File.WriteAllText(client.KnownHostsFile, $"@cert-authority [127.0.0.1]:{_server.Port} {_hostCa.PublicKey}\n");
        var result = await client.ExecAsync("dave", _userKey, "exit 0",
            ["CertificateFile=" + certificate, "PreferredAuthentications=publickey"], verbose: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("Server host certificate: ssh-ed25519-cert-v01@openssh.com", result.StandardError);
        Assert.Contains("ID \"fumidai-test-host\"", result.StandardError);
    }

    [Fact]
    public async Task Host_certificate_from_an_untrusted_ca_is_refused()
    {
        using var otherCa = SshPrivateKey.Generate("ssh-ed25519");
        var client = new OpenSshClient(_directory, _server.Port, []);
        File.WriteAllText(client.KnownHostsFile, $"@cert-authority [127.0.0.1]:{_server.Port} {otherCa.PublicKey}\n");
        var result = await client.ExecAsync("erin", _userKey, "exit 0");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Host key verification failed", result.StandardError);
    }
}
