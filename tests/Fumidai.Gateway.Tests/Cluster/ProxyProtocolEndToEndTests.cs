using System.Net.Sockets;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// Debian's ssh → haproxy (TCP, <c>send-proxy-v2</c>, round robin) → two <c>fumidai serve</c> nodes on one PostgreSQL: the
/// audit log names the client's address, not haproxy's; connections without a header, or from untrusted peers, are closed.
/// </summary>
public sealed class ProxyProtocolEndToEndTests(ProxiedCluster cluster) : IClassFixture<ProxiedCluster>
{
    private BastionHarness H => cluster.Nodes.Harness;

    [Fact]
    public async Task Logins_through_haproxy_land_on_both_nodes_and_are_audited_with_the_clients_address()
    {
        var op = await H.AddOperatorAsync("viaproxy");
        long s0 = Totp.CurrentStep();
        var first = await H.SshExecAsync(op, "viaproxy:web01", "echo first", await Totp.CodeAsync(op.Secret, s0), sshArguments: ["-b", "127.0.0.31"],
            port: cluster.Haproxy.Port);
        var second = await H.SshExecAsync(op, "viaproxy:web01", "echo second", await Totp.CodeAsync(op.Secret, s0 + 1), sshArguments: ["-b", "127.0.0.32"],
            port: cluster.Haproxy.Port);

        Assert.True(first.ExitCode == 0, first.StandardError);
        Assert.True(second.ExitCode == 0, second.StandardError);
        var logins = (await H.AuditAsync()).Where(e => e.Type == "login" && e.User == "viaproxy").ToList();
        Assert.Equal(["127.0.0.31", "127.0.0.32"], logins.Select(e => e.Source).Order());
        var sessions = await H.SessionsAsync("viaproxy");
        Assert.Equal(["127.0.0.31", "127.0.0.32"], sessions.Select(s => s.GetProperty("source").GetString()).Order());
        Assert.Equal(["node-a", "node-b"], sessions.Select(s => s.GetProperty("node").GetString()).Order());
    }

    [Fact]
    public async Task A_connection_without_a_header_or_from_an_untrusted_peer_is_closed_with_a_log_line()
    {
        var op = await H.AddOperatorAsync("direct");
        long s0 = Totp.CurrentStep();

        var direct = await H.SshExecAsync(op, "direct:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));
        Assert.Equal(255, direct.ExitCode);
        Assert.True(await H.Bastion.WaitForLogAsync("wrong signature", TimeSpan.FromSeconds(10)), H.Bastion.Log);

        using var untrusted = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        untrusted.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.41"), 0));
        await untrusted.ConnectAsync(System.Net.IPAddress.Loopback, H.Bastion.Port);
        // A well-formed header naming someone else: it must not matter, the peer is not a trusted proxy.
        await untrusted.SendAsync("PROXY TCP4 192.0.2.1 127.0.0.1 5555 2222\r\nSSH-2.0-x\r\n"u8.ToArray());
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read;
        try
        {
            read = await untrusted.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            read = 0;
        }
        Assert.Equal(0, read);
        Assert.True(await H.Bastion.WaitForLogAsync("not a trusted proxy", TimeSpan.FromSeconds(10)), H.Bastion.Log);
        Assert.DoesNotContain(await H.AuditAsync(), e => e.User == "direct" && e.Type == "login");
    }
}
