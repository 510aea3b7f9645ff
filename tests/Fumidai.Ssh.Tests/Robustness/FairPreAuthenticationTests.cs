using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh;
using Fumidai.Ssh.Server;
using Fumidai.Ssh.TestHost;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>The unauthenticated-connection cap with real sockets: the address holding most slots gives one up.</summary>
public sealed class FairPreAuthenticationTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>A server whose queue for slots is off by default, so what is refused is refused at once.</summary>
    private static SshServer StartServer(TempDirectory directory, CapturingLogger log, IPAddress address, int cap, int queue = 0)
    {
        var options = new TestHostOptions { HostKeyDirectory = directory.Combine("hostkeys"), Password = RobustnessHost.Password };
        var server = new SshServer(new SshServerOptions
        {
            EndPoint = new IPEndPoint(address, 0),
            HostKeys = TestSshServer.LoadOrCreateHostKeys(options.HostKeyDirectory),
            Limits = SshConnectionLimits.Default with { MaxUnauthenticatedConnections = cap, MaxQueuedConnections = queue },
        }, new TestHostApplication(options), log);
        server.Start();
        return server;
    }

    /// <summary>A TCP connection from <paramref name="from"/> that has read the server's version line and then says nothing.</summary>
    private static async Task<Socket> HalfOpenAsync(IPAddress from, IPEndPoint server)
    {
        var socket = new Socket(from.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            using var timeout = new CancellationTokenSource(Step);
            await socket.ConnectAsync(server, timeout.Token);
            var buffer = new byte[256];
            Assert.True(await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0, $"no version line for {from}");
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the server closes the socket within the timeout (reading only what it sent before).</summary>
    private static async Task<bool> ClosedAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < timeout)
            {
                using var wait = new CancellationTokenSource(timeout - clock.Elapsed);
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token) == 0) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
        return false;
    }

    [Fact]
    public async Task A_second_address_logs_in_while_one_address_holds_every_slot_and_that_address_loses_its_oldest()
    {
        using var directory = new TempDirectory("fumidai-fair");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, IPAddress.Loopback, cap: 4);
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++) held.Add(await HalfOpenAsync(IPAddress.Loopback, server.LocalEndPoint!));

            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await socket.ConnectAsync(server.LocalEndPoint!);
            await using (var client = await ScriptedClient.ConnectAsync(new NetworkStream(socket, ownsSocket: true)))
            {
                Assert.True(await client.TryPasswordAsync("robust", RobustnessHost.Password), "127.0.0.2 was refused");
                Assert.Equal(0u, (await client.ExecAsync("exit 0")).ExitStatus);
            }
            Assert.True(await ClosedAsync(held[0], Step), "the oldest connection of 127.0.0.1 was not the one given up");
            Assert.False(await ClosedAsync(held[3], TimeSpan.FromMilliseconds(300)), "the newest connection of 127.0.0.1 was closed");
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    [Fact]
    public async Task A_burst_from_one_address_is_served_while_nobody_else_connects()
    {
        using var directory = new TempDirectory("fumidai-burst");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, IPAddress.Loopback, cap: 100);
        var held = new List<Socket>();
        try
        {
            // An automation host opening 50 connections at once, then 50 more: all of them get their version line.
            var burst = Enumerable.Range(0, 50).Select(_ => HalfOpenAsync(IPAddress.Loopback, server.LocalEndPoint!)).ToList();
            held.AddRange(await Task.WhenAll(burst));
            for (int i = 0; i < 50; i++) held.Add(await HalfOpenAsync(IPAddress.Loopback, server.LocalEndPoint!));
            Assert.Equal(100, server.ConnectionCount);
            foreach (var socket in held.Take(5)) Assert.False(await ClosedAsync(socket, TimeSpan.FromMilliseconds(100)));
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    [Fact]
    public async Task On_IPv6_loopback_the_one_address_holding_every_slot_has_its_newcomer_refused()
    {
        using var directory = new TempDirectory("fumidai-fair6");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, IPAddress.IPv6Loopback, cap: 3);
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++) held.Add(await HalfOpenAsync(IPAddress.IPv6Loopback, server.LocalEndPoint!));
            using var refused = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            await refused.ConnectAsync(server.LocalEndPoint!);
            Assert.True(await ClosedAsync(refused, Step), "a fourth connection from ::1 was admitted");
            await log.WaitForAsync(e => e.Message.Contains("too many unauthenticated connections"), Step);
            // Its own slots stay: the newcomer from the address holding the most is the one refused.
            foreach (var socket in held) Assert.False(await ClosedAsync(socket, TimeSpan.FromMilliseconds(100)));
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }
}
