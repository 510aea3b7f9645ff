using System.Net;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;
using Fumidai.Ssh.TestHost;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>The server applies the connection limits it is given, not the library's defaults.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Channels_beyond_the_configured_maximum_are_refused()
    {
        using var directory = new TempDirectory("fumidai-limits");
        var log = new CapturingLogger();
        var options = new TestHostOptions { HostKeyDirectory = directory.Combine("hostkeys"), Password = RobustnessHost.Password };
        await using var server = new SshServer(new SshServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HostKeys = TestSshServer.LoadOrCreateHostKeys(options.HostKeyDirectory),
            Limits = new SshConnectionLimits { MaxChannels = 2 },
        }, new TestHostApplication(options), log);
        server.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = await SshClient.ConnectAsync(new SshClientOptions
        {
            Host = "127.0.0.1",
            Port = server.LocalEndPoint!.Port,
            Credentials = new ClientCredentials("robust") { Password = RobustnessHost.Password },
            HostKeyVerifier = (_, _) => ValueTask.CompletedTask,
        }, timeout.Token);

        await using var first = await client.OpenSessionAsync(timeout.Token);
        await using var second = await client.OpenSessionAsync(timeout.Token);
        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenSessionAsync(timeout.Token));
        Assert.Equal(ChannelOpenFailureReason.ResourceShortage, refused.Reason);

        // Closing one makes room again (the server frees it just after its CLOSE went out, hence a few tries).
        await first.DisposeAsync();
        SshClientSession? third = null;
        for (int attempt = 0; attempt < 20 && third is null; attempt++)
        {
            try
            {
                third = await client.OpenSessionAsync(timeout.Token);
            }
            catch (SshChannelOpenException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
        Assert.NotNull(third);
        await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenSessionAsync(timeout.Token));
        await third.DisposeAsync();
    }
}
