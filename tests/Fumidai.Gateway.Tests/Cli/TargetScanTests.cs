using System.Net;
using System.Net.Sockets;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>target add --scan</c> against ports that are not what the administrator thought.</summary>
public sealed class TargetScanTests
{
    [Fact]
    public async Task Scanning_a_web_server_says_it_is_not_an_ssh_server_and_adds_nothing()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var web = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.ReadAsync(new byte[256]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n"u8.ToArray());
        });

        var result = await cli.RunAsync("target", "add", "web01", "--host", "127.0.0.1", "--port", port.ToString(), "--login", "deploy", "--scan", "--yes");
        await web.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port} is not an SSH server: it sent 'HTTP/1.1 400 Bad Request'", result.Error);
        Assert.DoesNotContain("offered no host key", result.Error);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("target", "show", "web01")).ExitCode);
    }
}
