using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Tests.Infrastructure;
using Fumidai.Testing;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>
/// Kernel TCP keepalive on the client's socket: it finds a dead peer or keeps a firewall's state without waking the
/// process, as the kernel's own timer shows in <c>ss</c>.
/// </summary>
public sealed class TcpKeepaliveTests(TestHostFixture fixture) : IClassFixture<TestHostFixture>
{
    private SshClientOptions Options(TimeSpan tcpKeepalive) => new()
    {
        Host = "127.0.0.1",
        Port = fixture.Server.Port,
        Credentials = new ClientCredentials("tester") { Keys = [SshPrivateKey.Load(fixture.Ed25519Key)] },
        KnownHosts = KnownHosts.Parse(string.Join('\n',
            fixture.Server.HostKeys.Select(k => $"[127.0.0.1]:{fixture.Server.Port} {k.PublicKey}"))),
        KeepaliveInterval = TimeSpan.Zero,
        TcpKeepalive = tcpKeepalive,
    };

    [Fact]
    public async Task The_socket_carries_the_kernel_keepalive_timer()
    {
        await using var client = await SshClient.ConnectAsync(Options(TimeSpan.FromSeconds(47)));

        var timer = Assert.Single(await SocketTimers.ToRemotePortAsync(fixture.Server.Port));

        Assert.Equal("keepalive", timer.Name);
        // The first probe is due after the idle time given, not the kernel's default of two hours.
        Assert.InRange(timer.Seconds, 1, 47);
    }

    [Fact]
    public async Task Zero_leaves_the_socket_without_keepalive()
    {
        await using var client = await SshClient.ConnectAsync(Options(TimeSpan.Zero));

        var timer = Assert.Single(await SocketTimers.ToRemotePortAsync(fixture.Server.Port));

        Assert.NotEqual("keepalive", timer.Name);
    }
}
