using System.Collections.Concurrent;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>
/// Connections that end, normally or on bad input, must not leave faulted tasks nobody observes: a host that reports
/// TaskScheduler.UnobservedTaskException (as a bastion should) would log an error per closed connection.
/// </summary>
public sealed class UnobservedExceptionTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public UnobservedExceptionTests(RobustnessHost host) => _host = host;

    [Fact]
    public async Task Closed_connections_leave_no_unobserved_task_exceptions()
    {
        var seen = new ConcurrentQueue<Exception>();
        // Process-wide event: count only our library's exceptions, not those of unrelated tests running in parallel.
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x is SshConnectionLostException or SshProtocolException)) seen.Enqueue(e.Exception);
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            for (int i = 0; i < 10; i++)
            {
                await using (var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password))
                {
                    Assert.Equal(0u, (await client.ExecAsync("exit 0")).ExitStatus);
                }
                await using (var peer = await RawSshPeer.ConnectAsync(_host.Port))
                {
                    await peer.HandshakeAsync();
                    await peer.SendPacketAsync([(byte)Wire.MessageNumber.NewKeys]);
                    await peer.ExpectClosedAsync(TimeSpan.FromSeconds(10));
                }
            }
            // Unobserved exceptions are raised when the faulted tasks are finalized.
            for (int i = 0; i < 3; i++)
            {
                await Task.Delay(100);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
        Assert.True(seen.IsEmpty, $"{seen.Count} unobserved task exceptions, first: {seen.FirstOrDefault()}");
    }
}
