using System.Diagnostics;
using System.Net;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Server;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Limits that bound what an unauthenticated peer costs: attempts, login grace time, unauthenticated connections.</summary>
public sealed class PreAuthenticationLimitTests : IClassFixture<RobustnessHost>
{
    private static readonly TimeSpan ShortGrace = TimeSpan.FromSeconds(2);

    private readonly RobustnessHost _host;

    public PreAuthenticationLimitTests(RobustnessHost host) => _host = host;

    [Fact]
    public async Task Too_many_authentication_failures_disconnect_with_reason_14()
    {
        await using var client = await ScriptedClient.ConnectAsync(_host.Port);
        for (int i = 1; i < RobustnessHost.MaxAttempts; i++) Assert.False(await client.TryPasswordAsync("mallory", "guess " + i));
        // The last allowed failure is answered with DISCONNECT instead of USERAUTH_FAILURE.
        var error = await Assert.ThrowsAsync<SshConnectionLostException>(() => client.TryPasswordAsync("mallory", "last guess"));
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, error.Reason);
        await _host.ExpectLoggedAsync("too many authentication failures");
        await _host.AssertStillServesAsync();
    }

    /// <summary>A host with a 2 s login grace time; its own folder and log so the timing is not shared.</summary>
    private sealed class ShortGraceHost : IAsyncDisposable
    {
        public ShortGraceHost()
        {
            Server = RobustnessHost.Start(Directory, Log, new SshConnectionLimits { LoginGraceTime = ShortGrace });
        }

        public TempDirectory Directory { get; } = new("fumidai-grace");

        public CapturingLogger Log { get; } = new();

        public TestSshServer Server { get; }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Dispose();
        }
    }

    [Fact]
    public async Task A_peer_that_sends_nothing_is_dropped_after_the_grace_time()
    {
        await using var host = new ShortGraceHost();
        var clock = Stopwatch.StartNew();
        await using (var peer = await RawSshPeer.ConnectAsync(host.Server.Port))
        {
            await peer.ReadServerVersionAsync();
            // Not even a version line from us: no packet can be sent to us, so the server just closes.
            var after = await peer.ExpectClosedAsync(ShortGrace * 5);
            Assert.Empty(after);
        }
        Assert.InRange(clock.Elapsed, ShortGrace - TimeSpan.FromMilliseconds(200), ShortGrace * 5);
        await host.Log.WaitForAsync(e => e.Message.Contains("login grace time exceeded"), TimeSpan.FromSeconds(5));
        await RobustnessHost.AssertServesAsync(host.Server.Port, host.Log);
    }

    [Fact]
    public async Task A_peer_that_stalls_in_the_key_exchange_gets_DISCONNECT()
    {
        await using var host = new ShortGraceHost();
        var clock = Stopwatch.StartNew();
        await using (var peer = await RawSshPeer.ConnectAsync(host.Server.Port))
        {
            await peer.HandshakeAsync();
            await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
            // No KEX_ECDH_INIT follows: the grace time ends the connection, with a DISCONNECT in the clear.
            await peer.ExpectDisconnectAsync(DisconnectReason.ByApplication);
        }
        Assert.InRange(clock.Elapsed, ShortGrace - TimeSpan.FromMilliseconds(200), ShortGrace * 5);
        await RobustnessHost.AssertServesAsync(host.Server.Port, host.Log);
    }

    [Fact]
    public async Task Login_grace_time_exceeded_after_kex()
    {
        await using var host = new ShortGraceHost();
        var clock = Stopwatch.StartNew();
        await using (var client = await ScriptedClient.ConnectAsync(host.Server.Port))
        {
            // Keys are exchanged but we never authenticate.
            Assert.Equal(DisconnectReason.ByApplication, await client.ExpectDisconnectAsync());
        }
        Assert.InRange(clock.Elapsed, ShortGrace - TimeSpan.FromMilliseconds(200), ShortGrace * 5);
        await host.Log.WaitForAsync(e => e.Message.Contains("login grace time exceeded"), TimeSpan.FromSeconds(5));
        await RobustnessHost.AssertServesAsync(host.Server.Port, host.Log);
    }

    [Fact]
    public async Task Grace_time_does_not_end_an_authenticated_session()
    {
        await using var host = new ShortGraceHost();
        await using var client = await ScriptedClient.LoginAsync(host.Server.Port, RobustnessHost.Password);
        await Task.Delay(ShortGrace + TimeSpan.FromSeconds(1));
        Assert.Equal(3u, (await client.ExecAsync("exit 3")).ExitStatus);
    }

    /// <summary>A server of its own (password login) with the given limits, on a free loopback port.</summary>
    private static SshServer StartServer(TempDirectory directory, CapturingLogger log, SshConnectionLimits limits)
    {
        var options = new TestHostOptions { HostKeyDirectory = directory.Combine("hostkeys"), Password = RobustnessHost.Password };
        var server = new SshServer(new SshServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HostKeys = TestSshServer.LoadOrCreateHostKeys(options.HostKeyDirectory),
            Limits = limits,
        }, new TestHostApplication(options), log);
        server.Start();
        return server;
    }

    [Fact]
    public async Task Unauthenticated_connection_cap()
    {
        using var directory = new TempDirectory("fumidai-cap");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, new SshConnectionLimits { MaxUnauthenticatedConnections = 2, MaxQueuedConnections = 0 });
        int port = server.LocalEndPoint!.Port;

        // An authenticated session does not count against the cap.
        await using var session = await ScriptedClient.LoginAsync(port, RobustnessHost.Password);
        var idle = new List<RawSshPeer>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var peer = await RawSshPeer.ConnectAsync(port);
                idle.Add(peer);
                await peer.ReadServerVersionAsync();
            }
            // With no queue, the third unauthenticated peer is dropped before it gets a version line.
            await using (var refused = await RawSshPeer.ConnectAsync(port))
            {
                Assert.Empty(await refused.ExpectClosedAsync(TimeSpan.FromSeconds(10)));
            }
            await log.WaitForAsync(e => e.Message.Contains("too many unauthenticated connections"), TimeSpan.FromSeconds(5));
            Assert.Equal(0u, (await session.ExecAsync("exit 0")).ExitStatus);
        }
        finally
        {
            foreach (var peer in idle) await peer.DisposeAsync();
        }
        // Once the idle peers are gone their slots are free again.
        var deadline = Stopwatch.StartNew();
        while (server.ConnectionCount > 1 && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.Equal(1, server.ConnectionCount);
        await RobustnessHost.AssertServesAsync(port, log);
    }

    [Fact]
    public async Task Past_the_cap_a_peer_waits_for_a_slot_and_is_served_when_one_comes_free()
    {
        using var directory = new TempDirectory("fumidai-queue");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, new SshConnectionLimits { MaxUnauthenticatedConnections = 2, MaxQueuedConnections = 1, LoginGraceTime = TimeSpan.FromSeconds(20) });
        int port = server.LocalEndPoint!.Port;

        var idle = new List<RawSshPeer>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var peer = await RawSshPeer.ConnectAsync(port);
                idle.Add(peer);
                await peer.ReadServerVersionAsync();
            }
            // The third waits: accepted, but no version line yet. A fourth finds the queue full and is refused.
            var queued = ScriptedClient.LoginAsync(port, RobustnessHost.Password);
            var waitedFor = Stopwatch.StartNew();
            while (log.Entries.All(e => !e.Message.Contains("refusing")) && waitedFor.Elapsed < TimeSpan.FromSeconds(10))
            {
                await using var extra = await RawSshPeer.ConnectAsync(port);
                Assert.Empty(await extra.ExpectClosedAsync(TimeSpan.FromSeconds(10)));
            }
            await log.WaitForAsync(e => e.Message.Contains("as many waiting as allowed"), TimeSpan.FromSeconds(5));
            await Task.Delay(300);
            Assert.False(queued.IsCompleted);

            // One idle peer leaves: the waiting client gets its slot and logs in.
            await idle[0].DisposeAsync();
            idle.RemoveAt(0);
            await using var client = await queued.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(4u, (await client.ExecAsync("exit 4")).ExitStatus);
        }
        finally
        {
            foreach (var peer in idle) await peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_grace_time_of_a_peer_that_waited_counts_from_its_accept()
    {
        var grace = TimeSpan.FromSeconds(4);
        using var directory = new TempDirectory("fumidai-queue-grace");
        var log = new CapturingLogger();
        await using var server = StartServer(directory, log, new SshConnectionLimits { MaxUnauthenticatedConnections = 1, LoginGraceTime = grace });
        int port = server.LocalEndPoint!.Port;

        // The holder's slot comes free when its grace time ends, 2 s after the waiter arrived; the waiter then has only
        // what is left of its own grace time (2 s), not a fresh one (which would close it 6 s after it arrived).
        await using var holder = await RawSshPeer.ConnectAsync(port);
        await holder.ReadServerVersionAsync();
        await Task.Delay(grace / 2);
        var clock = Stopwatch.StartNew();
        await using var waiter = await RawSshPeer.ConnectAsync(port);
        await waiter.ReadServerVersionAsync();
        Assert.InRange(clock.Elapsed, grace / 2 - TimeSpan.FromMilliseconds(500), grace);
        await waiter.ExpectClosedAsync(grace * 2);
        Assert.InRange(clock.Elapsed, grace - TimeSpan.FromMilliseconds(300), grace + TimeSpan.FromSeconds(1.5));
        await RobustnessHost.AssertServesAsync(port, log);
    }
}
