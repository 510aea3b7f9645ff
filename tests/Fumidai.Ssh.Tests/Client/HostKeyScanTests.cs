using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Host key scans as an administrator meets them: one connection to a real sshd, and a port that is not SSH.</summary>
public sealed class HostKeyScanTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    [Fact]
    public async Task A_server_that_rekeys_before_authentication_gives_every_host_key_over_one_connection()
    {
        using var dir = new TempDirectory("fumidai-scan");
        await using var server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = dir.Combine("hostkeys"),
            Password = "unused password 1234",
            Transport = new SshTransportSettings { HostKeyAlgorithms = SshTransportSettings.AllHostKeyAlgorithms },
        }, new CapturingLogger());
        // The relay forwards one connection only: a second one would never be answered and the scan would time out.
        using var oneConnection = new FreezableProxy(server.Port);

        var keys = await SshClient.ScanHostKeysAsync("127.0.0.1", oneConnection.Port, timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(server.HostKeys.Select(k => k.PublicKey.ToString()).Order(), keys.Select(k => k.ToString()).Order());
        Assert.True(keys.Count >= 3, $"{keys.Count} host keys");
    }

    [Fact]
    public async Task OpenSSH_gets_one_connection_per_host_key_type_it_has_and_logs_no_failed_negotiation()
    {
        int logStart = fixture.Sshd.Log.Length;

        var keys = await SshClient.ScanHostKeysAsync(PrivateSshd.Host, fixture.Sshd.Port);

        Assert.Equal(fixture.Sshd.HostKeys.Select(k => k.ToString()).Order(), keys.Select(k => k.ToString()).Order());
        // sshd writes its lines as the connection closes; give it a bounded moment.
        var clock = Stopwatch.StartNew();
        while (!fixture.Sshd.Log[logStart..].Contains("Connection closed", StringComparison.Ordinal)
               && !fixture.Sshd.Log[logStart..].Contains("Disconnected from", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100);
        await Task.Delay(300);
        string log = fixture.Sshd.Log[logStart..];
        // sshd takes no second key exchange before authentication, so each of its three key types costs a connection,
        // and only the types it has are asked for.
        Assert.True(Count(log, "Connection from 127.0.0.1") == fixture.Sshd.HostKeys.Count, log);
        Assert.Equal(0, Count(log, "dispatch_protocol_error"));
        Assert.Equal(0, Count(log, "no matching host key type"));
        Assert.Equal(0, Count(log, "Unable to negotiate"));
    }

    [Fact]
    public async Task A_port_that_speaks_http_is_named_as_not_an_ssh_server_with_what_it_sent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[256];
            await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        });

        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshClient.ScanHostKeysAsync("127.0.0.1", port, timeout: TimeSpan.FromSeconds(10)));
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal($"127.0.0.1:{port}: not an SSH server: it sent 'HTTP/1.1 400 Bad Request'", error.Message);
    }

    [Fact]
    public async Task A_port_that_closes_without_a_word_is_named_as_not_an_ssh_server()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
        });

        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshClient.ScanHostKeysAsync("127.0.0.1", port, timeout: TimeSpan.FromSeconds(10)));
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal($"127.0.0.1:{port}: not an SSH server: it closed the connection without sending an SSH version line", error.Message);
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
