using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Tests.Infrastructure;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Our client against our server (the in-process test host on loopback): every algorithm, every auth method, keepalives.</summary>
public sealed class ClientTestHostTests(TestHostFixture fixture) : IClassFixture<TestHostFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private KnownHosts Pinned(int port) =>
        KnownHosts.Parse(string.Join('\n', fixture.Server.HostKeys.Select(k => $"[127.0.0.1]:{port} {k.PublicKey}")));

    private SshClientOptions Options(ClientCredentials credentials, SshTransportSettings? transport = null, int? port = null,
        TimeSpan? keepalive = null, int keepaliveCount = 3) => new()
    {
        Host = "127.0.0.1",
        Port = port ?? fixture.Server.Port,
        Credentials = credentials,
        KnownHosts = Pinned(fixture.Server.Port),
        Transport = transport ?? new SshTransportSettings(),
        KeepaliveInterval = keepalive ?? TimeSpan.Zero,
        KeepaliveCountMax = keepaliveCount,
    };

    private static ClientCredentials WithKey(string path) => new("tester") { Keys = [SshPrivateKey.Load(path)] };

    private static async Task AssertEchoAsync(SshClient client)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var result = await client.RunCommandAsync("echo", "fumidai\n"u8.ToArray(), cts.Token);
        Assert.Equal("fumidai\n", result.Output);
        Assert.Equal(0u, result.Exit.ExitStatus);
    }

    public static TheoryData<string, string?> CipherAndMac()
    {
        var data = new TheoryData<string, string?>();
        foreach (var cipher in CipherAlgorithms.AllNames)
        {
            if (CipherAlgorithms.TryGet(cipher, out var algorithm) && algorithm.IsAead) data.Add(cipher, null);
            else foreach (var mac in MacAlgorithms.AllNames) data.Add(cipher, mac);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CipherAndMac))]
    public async Task Every_cipher_and_mac_with_mlkem_hybrid_kex(string cipher, string? mac)
    {
        var transport = new SshTransportSettings
        {
            KexAlgorithms = ["mlkem768x25519-sha256"],
            Ciphers = [cipher],
            Macs = mac is null ? MacAlgorithms.DefaultNames : [mac],
        };
        await using var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key), transport));

        await AssertEchoAsync(client);
        Assert.Equal("mlkem768x25519-sha256", client.Transport.Algorithms!.Kex);
        Assert.Equal(cipher, client.Transport.Algorithms.CipherClientToServer);
        Assert.Equal(cipher, client.Transport.Algorithms.CipherServerToClient);
        if (mac is not null) Assert.Equal(mac, client.Transport.Algorithms.MacServerToClient);
    }

    public static TheoryData<string> KexNames() => [.. KeyExchangeMethods.AllNames];

    [Theory]
    [MemberData(nameof(KexNames))]
    public async Task Every_key_exchange_method(string kex)
    {
        await using var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key), new SshTransportSettings { KexAlgorithms = [kex] }));

        await AssertEchoAsync(client);
        Assert.Equal(kex, client.Transport.Algorithms!.Kex);
        Assert.True(client.Transport.StrictKex);
    }

    public static TheoryData<string> HostKeyNames() => [.. SshTransportSettings.AllHostKeyAlgorithms.Where(a => !a.Contains("384") && !a.Contains("521"))];

    [Theory]
    [MemberData(nameof(HostKeyNames))]
    public async Task Every_host_key_algorithm_is_verified_against_the_pinned_key(string algorithm)
    {
        await using var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key), new SshTransportSettings { HostKeyAlgorithms = [algorithm] }));

        await AssertEchoAsync(client);
        Assert.Equal(algorithm, client.Transport.Algorithms!.HostKey);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task Every_user_key_type(string type)
    {
        string path = type switch { "ed25519" => fixture.Ed25519Key, "ecdsa" => fixture.EcdsaKey, _ => fixture.RsaKey };
        await using var client = await SshClient.ConnectAsync(Options(WithKey(path)));

        await AssertEchoAsync(client);
        var attempt = Assert.IsType<PublicKeyAttempt>(fixture.Server.Application.Attempts.Last(a => a is PublicKeyAttempt));
        if (type == "rsa") Assert.Equal("rsa-sha2-512", attempt.SignatureAlgorithm);
    }

    [Fact]
    public async Task Password_authentication()
    {
        await using var client = await SshClient.ConnectAsync(Options(new ClientCredentials("tester") { Password = TestHostFixture.Password }));

        await AssertEchoAsync(client);
        Assert.Equal(["password"], client.AuthenticatedMethods);
    }

    [Fact]
    public async Task Keyboard_interactive_answers_the_prompts_through_the_callback()
    {
        var seen = new List<KeyboardInteractivePrompt>();
        var credentials = new ClientCredentials("tester")
        {
            KeyboardInteractive = (_, _, prompts, _) =>
            {
                seen.AddRange(prompts);
                return ValueTask.FromResult(prompts.Select(_ => TestHostFixture.KeyboardInteractiveAnswer).ToArray());
            },
        };
        await using var client = await SshClient.ConnectAsync(Options(credentials));

        await AssertEchoAsync(client);
        Assert.Equal(["keyboard-interactive"], client.AuthenticatedMethods);
        var prompt = Assert.Single(seen);
        Assert.False(prompt.Echo);
    }

    [Fact]
    public async Task Wrong_keyboard_interactive_answer_is_reported()
    {
        var credentials = new ClientCredentials("tester") { KeyboardInteractive = (_, _, p, _) => ValueTask.FromResult(p.Select(_ => "000000").ToArray()) };

        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() => SshClient.ConnectAsync(Options(credentials)));

        Assert.Contains("keyboard-interactive (refused)", error.MethodsTried);
        Assert.DoesNotContain("000000", error.Message);
    }

    [Fact]
    public async Task Partial_success_leads_from_publickey_to_a_second_factor_and_shows_the_banner()
    {
        await using var server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = fixture.Directory.Combine("hostkeys"),
            AuthorizedKeys = [File.ReadAllText(fixture.Ed25519Key + ".pub").Trim()],
            KeyboardInteractiveAnswer = TestHostFixture.KeyboardInteractiveAnswer,
            RequireSecondFactor = true,
            Banner = "Authorised use only.\r\n",
        });
        string? banner = null;
        var credentials = new ClientCredentials("tester")
        {
            Keys = [SshPrivateKey.Load(fixture.Ed25519Key)],
            KeyboardInteractive = (_, _, p, _) => ValueTask.FromResult(p.Select(_ => TestHostFixture.KeyboardInteractiveAnswer).ToArray()),
            BannerReceived = text => banner = text,
        };
        var options = Options(credentials, port: server.Port);
        await using var client = await SshClient.ConnectAsync(new SshClientOptions
        {
            Host = options.Host, Port = server.Port, Credentials = credentials, KnownHosts = Pinned(server.Port),
        });

        await AssertEchoAsync(client);
        Assert.Equal(["publickey", "keyboard-interactive"], client.AuthenticatedMethods);
        Assert.Equal("Authorised use only.\r\n", banner);
    }

    [Fact]
    public async Task Answered_keepalives_keep_the_connection()
    {
        await using var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key), keepalive: TimeSpan.FromMilliseconds(100), keepaliveCount: 2));

        await Task.Delay(800);

        Assert.False(client.Completion.IsCompleted);
        await AssertEchoAsync(client);
    }

    [Fact]
    public async Task Unanswered_keepalives_end_the_connection()
    {
        using var proxy = new FreezableProxy(fixture.Server.Port);
        var options = Options(WithKey(fixture.Ed25519Key), keepalive: TimeSpan.FromMilliseconds(200), keepaliveCount: 2);
        await using var client = await SshClient.ConnectAsync(new SshClientOptions
        {
            Host = options.Host, Port = proxy.Port, Credentials = options.Credentials, KnownHosts = Pinned(proxy.Port),
            KeepaliveInterval = options.KeepaliveInterval, KeepaliveCountMax = options.KeepaliveCountMax,
        });
        await AssertEchoAsync(client);

        proxy.Freeze();

        var error = await Assert.ThrowsAsync<SshConnectionLostException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("keepalive", error.Message);
    }

    [Fact]
    public async Task Dispose_ends_the_server_side_connection()
    {
        var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key)));
        await AssertEchoAsync(client);

        await client.DisposeAsync();

        await client.Completion.WaitAsync(Timeout);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (fixture.Server.ConnectionCount > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, fixture.Server.ConnectionCount);
    }

    [Fact]
    public async Task Bulk_exec_output_and_client_rekey()
    {
        await using var client = await SshClient.ConnectAsync(Options(WithKey(fixture.Ed25519Key)));
        using var cts = new CancellationTokenSource(Timeout);
        await using var session = await client.OpenSessionAsync(cts.Token);
        await session.ExecAsync("write 16777216", cts.Token);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await session.ReadAsync(buffer, cts.Token)) > 0)
        {
            if (total == 0) await client.Transport.StartRekeyAsync(cts.Token);
            total += read;
        }

        Assert.Equal(16777216, total);
        Assert.Equal(0u, (await session.Exit.WaitAsync(cts.Token)).ExitStatus);
        Assert.Equal(2, client.Transport.KeyExchangeCount);
    }

    [Fact]
    public void Rsa_signature_algorithm_follows_server_sig_algs_and_never_uses_sha1()
    {
        using var rsa = SshPrivateKey.Generate(SshKeyTypes.Rsa, 2048);
        Assert.Equal("rsa-sha2-512", ClientAuthentication.ChooseSignatureAlgorithm(rsa, null));
        Assert.Equal("rsa-sha2-512", ClientAuthentication.ChooseSignatureAlgorithm(rsa, ["ssh-ed25519", "rsa-sha2-256", "rsa-sha2-512"]));
        Assert.Equal("rsa-sha2-256", ClientAuthentication.ChooseSignatureAlgorithm(rsa, ["ssh-rsa", "rsa-sha2-256"]));
        Assert.Null(ClientAuthentication.ChooseSignatureAlgorithm(rsa, ["ssh-rsa", "ssh-ed25519"]));

        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var rsaForCert = SshPrivateKey.Generate(SshKeyTypes.Rsa, 2048);
        var cert = new SshCertificateBuilder(rsaForCert.PublicKey, SshCertificateType.User, "alice") { ValidPrincipals = { "root" } }.Sign(ca);
        using var certified = new SshCertifiedPrivateKey(rsaForCert, cert);
        Assert.Equal("rsa-sha2-256-cert-v01@openssh.com", ClientAuthentication.ChooseSignatureAlgorithm(certified, ["rsa-sha2-256"]));
        Assert.Equal("ssh-ed25519", ClientAuthentication.ChooseSignatureAlgorithm(ca, ["rsa-sha2-256"]));
    }

    [Fact]
    public void Pinned_types_come_first_in_the_host_key_algorithm_offer()
    {
        using var rsa = SshPrivateKey.Generate(SshKeyTypes.Rsa, 2048);
        using var ca = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var configured = SshTransportSettings.DefaultHostKeyAlgorithms;

        var plain = HostKeyPolicy.PreferredAlgorithms(KnownHosts.Parse($"web01 {rsa.PublicKey}"), "web01", 22, configured);
        var withCa = HostKeyPolicy.PreferredAlgorithms(KnownHosts.Parse($"@cert-authority *.corp {ca.PublicKey}"), "web01.corp", 22, configured);

        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"], plain);
        Assert.Equal("ssh-ed25519-cert-v01@openssh.com", withCa[0]);
        Assert.Equal(["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"], withCa.Skip(3));
    }
}
