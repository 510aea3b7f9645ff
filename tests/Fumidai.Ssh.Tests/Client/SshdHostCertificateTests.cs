using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>sshd presenting host certificates: trusted through an <c>@cert-authority</c> line, refused under another CA.</summary>
public sealed class SshdHostCertificateTests : IAsyncLifetime
{
    private readonly SshPrivateKey _hostCa = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
    private readonly TempDirectory _keys = new("fumidai-hostcert-keys");
    private SshPrivateKey _userKey = null!;
    private PrivateSshd _sshd = null!;

    public async Task InitializeAsync()
    {
        _userKey = SshPrivateKey.Load(await UserKeys.CreateAsync(_keys, "ed25519"));
        _sshd = await PrivateSshd.StartAsync([_userKey.PublicKey.ToString()], hostCa: _hostCa);
    }

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        _keys.Dispose();
    }

    private SshClientOptions Options(string knownHosts, TimeSpan? keepalive = null) => new()
    {
        Host = PrivateSshd.Host,
        Port = _sshd.Port,
        Credentials = new ClientCredentials(PrivateSshd.User) { Keys = [_userKey] },
        KnownHosts = KnownHosts.Parse(knownHosts),
        KeepaliveInterval = keepalive ?? TimeSpan.Zero,
        KeepaliveCountMax = 2,
    };

    [Fact]
    public async Task Host_certificate_is_trusted_through_cert_authority_line()
    {
        await using var client = await SshClient.ConnectAsync(Options($"@cert-authority [127.0.0.1]:{_sshd.Port} {_hostCa.PublicKey}\n"));

        var certificate = Assert.IsType<SshCertificate>(client.ServerHostKey);
        Assert.Equal(SshCertificateType.Host, certificate.CertificateType);
        Assert.EndsWith("-cert-v01@openssh.com", client.Transport.Algorithms!.HostKey);
        Assert.Equal("ok\n", (await client.RunCommandAsync("echo ok")).Output);
    }

    [Fact]
    public async Task Host_certificate_from_another_ca_is_refused()
    {
        using var otherCa = SshPrivateKey.Generate(SshKeyTypes.Ed25519);

        var error = await Assert.ThrowsAsync<SshHostKeyException>(() =>
            SshClient.ConnectAsync(Options($"@cert-authority [127.0.0.1]:{_sshd.Port} {otherCa.PublicKey}\n")));

        Assert.NotEqual(KnownHostsStatus.Trusted, error.Status);
    }

    [Fact]
    public async Task Keepalives_are_answered_by_sshd()
    {
        await using var client = await SshClient.ConnectAsync(Options($"[127.0.0.1]:{_sshd.Port} {_sshd.HostKeys[0]}\n",
            keepalive: TimeSpan.FromMilliseconds(100)));

        // Eight intervals with at most two unanswered allowed: only replies (OpenSSH sends REQUEST_FAILURE) keep it open.
        await Task.Delay(800);

        Assert.False(client.Completion.IsCompleted);
        Assert.Equal("alive\n", (await client.RunCommandAsync("echo alive")).Output);
    }
}
