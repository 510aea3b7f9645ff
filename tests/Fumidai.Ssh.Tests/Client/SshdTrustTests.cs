using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Host key pinning, host key scans, connect failures and refused credentials against Debian's sshd.</summary>
public sealed class SshdTrustTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    private string Name => KnownHosts.LookupName(PrivateSshd.Host, fixture.Sshd.Port);

    [Fact]
    public async Task Changed_host_key_is_refused_naming_both_fingerprints()
    {
        using var other = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var pinned = KnownHosts.Parse($"{Name} {other.PublicKey}\n");

        var error = await Assert.ThrowsAsync<SshHostKeyException>(() =>
            SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User) { Keys = [fixture.Ed25519Key] }, pinned)));

        Assert.Equal(KnownHostsStatus.Mismatch, error.Status);
        Assert.Contains(other.PublicKey.Fingerprint, error.Message);
        Assert.Contains(fixture.Sshd.HostKeys[0].Fingerprint, error.Message);
        Assert.Contains(Name, error.Message);
    }

    [Fact]
    public async Task Unknown_host_is_refused_without_trust_on_first_use()
    {
        var pinned = KnownHosts.Parse($"[127.0.0.1]:1 {fixture.Sshd.HostKeys[0]}\n");

        var error = await Assert.ThrowsAsync<SshHostKeyException>(() =>
            SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User) { Keys = [fixture.Ed25519Key] }, pinned)));

        Assert.Equal(KnownHostsStatus.Unknown, error.Status);
        Assert.Contains(fixture.Sshd.HostKeys[0].Fingerprint, error.Message);
    }

    [Fact]
    public async Task Revoked_host_key_is_refused()
    {
        var pinned = KnownHosts.Parse($"{Name} {fixture.Sshd.HostKeys[0]}\n@revoked * {fixture.Sshd.HostKeys[0]}\n");

        var error = await Assert.ThrowsAsync<SshHostKeyException>(() =>
            SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User) { Keys = [fixture.Ed25519Key] }, pinned)));

        Assert.Equal(KnownHostsStatus.Revoked, error.Status);
    }

    [Fact]
    public async Task Hashed_known_hosts_line_for_the_rsa_key_only_makes_the_client_ask_for_rsa()
    {
        // Only the RSA key is pinned: the client must put rsa-sha2-* first rather than meet sshd's ed25519 key and refuse it.
        var pinned = KnownHosts.Parse($"{KnownHosts.HashHostName(Name)} {fixture.Sshd.HostKeys[2]}\n");

        await using var client = await SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User) { Keys = [fixture.Ed25519Key] }, pinned));

        Assert.Equal(SshKeyTypes.Rsa, client.ServerHostKey.KeyType);
        Assert.StartsWith("rsa-sha2-", client.Transport.Algorithms!.HostKey);
    }

    [Fact]
    public async Task Scan_returns_every_host_key_of_sshd()
    {
        var keys = await SshClient.ScanHostKeysAsync(PrivateSshd.Host, fixture.Sshd.Port);

        Assert.Equal(fixture.Sshd.HostKeys.Select(k => k.ToString()).Order(), keys.Select(k => k.ToString()).Order());
    }

    [Fact]
    public async Task Scan_of_one_algorithm_returns_that_key()
    {
        var keys = await SshClient.ScanHostKeysAsync(PrivateSshd.Host, fixture.Sshd.Port, ["ecdsa-sha2-nistp256"]);

        Assert.Equal([fixture.Sshd.HostKeys[1].ToString()], keys.Select(k => k.ToString()));
    }

    [Fact]
    public async Task Refused_tcp_connection_names_host_and_port()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var options = fixture.Options(fixture.Ed25519Key);

        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshClient.ConnectAsync(new SshClientOptions
        {
            Host = options.Host, Port = port, Credentials = options.Credentials, KnownHosts = options.KnownHosts,
        }));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("ConnectionRefused", error.Message);
    }

    [Fact]
    public async Task Silent_server_hits_the_login_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = fixture.Options(fixture.Ed25519Key);

        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshClient.ConnectAsync(new SshClientOptions
        {
            Host = options.Host, Port = port, Credentials = options.Credentials, KnownHosts = options.KnownHosts,
            LoginTimeout = TimeSpan.FromMilliseconds(500),
        }));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("within 0.5 s", error.Message);
    }

    [Fact]
    public async Task Unknown_key_is_refused_naming_methods_tried_and_offered()
    {
        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() => fixture.ConnectAsync(fixture.StrangerKey));

        Assert.Contains("none", error.MethodsTried);
        Assert.Contains(error.MethodsTried, m => m.StartsWith("publickey ssh-ed25519 " + fixture.StrangerKey.PublicKey.Fingerprint, StringComparison.Ordinal));
        Assert.Contains("publickey", error.MethodsOffered);
        Assert.Contains("password", error.MethodsOffered);
        Assert.Contains("(not accepted)", error.Message);
    }

    [Fact]
    public async Task Wrong_password_is_refused_without_echoing_it()
    {
        const string password = "not-the-root-password-7f3a";
        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() =>
            SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User) { Password = password })));

        Assert.Contains("password (refused)", error.MethodsTried);
        Assert.DoesNotContain(password, error.Message);
        Assert.True(await fixture.Sshd.WaitForLogAsync("Failed password for " + PrivateSshd.User), fixture.Sshd.Log);
    }

    [Fact]
    public async Task Missing_credentials_report_only_none_tried()
    {
        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() =>
            SshClient.ConnectAsync(fixture.Options(new ClientCredentials(PrivateSshd.User))));

        Assert.Equal(["none"], error.MethodsTried);
        Assert.Contains("publickey", error.MethodsOffered);
    }

    [Fact]
    public async Task Second_key_is_tried_after_the_first_is_refused()
    {
        await using var client = await fixture.ConnectAsync(fixture.StrangerKey, fixture.RsaKey);

        var result = await client.RunCommandAsync("echo ok");

        Assert.Equal("ok\n", result.Output);
    }
}
