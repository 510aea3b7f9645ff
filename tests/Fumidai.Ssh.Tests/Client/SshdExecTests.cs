using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Our client against Debian's sshd: login, exec, exit status and signals, direct-tcpip.</summary>
public sealed class SshdExecTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Exec_returns_stdout_stderr_and_exit_status()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("echo hello; echo oops >&2; exit 7", cancellationToken: cts.Token);

        Assert.Equal("hello\n", result.Output);
        Assert.Equal("oops\n", result.Error);
        Assert.Equal(7u, result.Exit.ExitStatus);
        Assert.Equal(["publickey"], client.AuthenticatedMethods);
        Assert.Equal(fixture.Sshd.HostKeys[0].Fingerprint, client.ServerHostKey.Fingerprint);
        Assert.True(client.Transport.StrictKex);
        Assert.StartsWith("SSH-2.0-OpenSSH_", client.Transport.RemoteVersion);
    }

    [Fact]
    public async Task With_hardware_aes_our_client_negotiates_aes128_gcm_with_sshd_and_otherwise_chacha20()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);

        // sshd offers chacha20-poly1305 first; the client's order decides.
        string expected = CipherAlgorithms.HardwareAesGcm ? "aes128-gcm@openssh.com" : "chacha20-poly1305@openssh.com";
        Assert.Equal(expected, client.Transport.Algorithms!.CipherClientToServer);
        Assert.Equal(expected, client.Transport.Algorithms.CipherServerToClient);
        Assert.Equal("FIRST", (await client.RunCommandAsync("echo FIRST")).Output.Trim());
    }

    [Fact]
    public async Task Exec_feeds_standard_input()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("tr a-z A-Z", "fumidai"u8.ToArray(), cts.Token);

        Assert.Equal("FUMIDAI", result.Output);
        Assert.Equal(0u, result.Exit.ExitStatus);
    }

    [Fact]
    public async Task Rsa_key_signs_with_rsa_sha2_chosen_from_server_sig_algs()
    {
        await using var client = await fixture.ConnectAsync(fixture.RsaKey);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("echo rsa", cancellationToken: cts.Token);

        Assert.Equal("rsa\n", result.Output);
        var serverSigAlgs = client.Transport.ServerSignatureAlgorithms;
        Assert.NotNull(serverSigAlgs);
        Assert.Contains("rsa-sha2-512", serverSigAlgs);
        Assert.Equal("rsa-sha2-512", ClientAuthentication.ChooseSignatureAlgorithm(fixture.RsaKey, serverSigAlgs));
        Assert.True(await fixture.Sshd.WaitForLogAsync("Accepted publickey for " + PrivateSshd.User));
    }

    [Fact]
    public async Task Killed_command_reports_exit_signal()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("kill -TERM $$", cancellationToken: cts.Token);

        Assert.Null(result.Exit.ExitStatus);
        Assert.Equal("TERM", result.Exit.ExitSignal);
    }

    [Fact]
    public async Task Signal_request_reaches_sshd()
    {
        // sshd delivers signals only from its privilege-separated child, which a root login (all these tests can use) lacks;
        // its log still proves the request arrived, was parsed and named the signal.
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);
        await using var session = await client.OpenSessionAsync(cts.Token);
        await session.ExecAsync("echo started; exec sleep 2", cts.Token);
        var buffer = new byte[64];
        int read = await session.ReadAsync(buffer, cts.Token);
        Assert.Equal("started\n", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        await session.SignalAsync("INT", cts.Token);

        Assert.True(await fixture.Sshd.WaitForLogAsync("session_signal_req"), fixture.Sshd.Log);
        var exit = await session.Exit.WaitAsync(cts.Token);
        Assert.Equal(0u, exit.ExitStatus);
    }

    [Fact]
    public async Task Direct_tcpip_reaches_a_loopback_service_through_sshd()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(Timeout);
        var echo = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(cts.Token);
            var buffer = new byte[256];
            int n = await socket.ReceiveAsync(buffer, cts.Token);
            await socket.SendAsync(buffer.AsMemory(0, n).ToArray().Reverse().ToArray(), cts.Token);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        });
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);

        var channel = await client.OpenDirectTcpipAsync("127.0.0.1", port, cancellationToken: cts.Token);
        await channel.WriteAsync("abc"u8.ToArray(), cts.Token);
        var reply = new byte[16];
        int read = await channel.ReadAsync(reply, cts.Token);
        await echo;

        Assert.Equal("cba", System.Text.Encoding.ASCII.GetString(reply, 0, read));
        await channel.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task Dispose_sends_disconnect_which_sshd_logs()
    {
        var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        int port = ((System.Net.IPEndPoint)((System.Net.Sockets.NetworkStream)GetStream(client)).Socket.LocalEndPoint!).Port;

        await client.DisposeAsync();

        Assert.True(await fixture.Sshd.WaitForLogAsync($"Received disconnect from 127.0.0.1 port {port}:11: disconnected by application"),
            fixture.Sshd.Log);
        await client.Completion.WaitAsync(Timeout);
    }

    private static Stream GetStream(SshClient client) =>
        (Stream)typeof(Fumidai.Ssh.Transport.SshTransport).GetField("_stream", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(client.Transport)!;
}
