using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>A client-role and a server-role <see cref="SshConnection"/> over an in-memory stream, both dispatching.</summary>
/// <remarks>No authentication: the connection layer is tested on its own.</remarks>
internal sealed class ConnectionPair : IAsyncDisposable
{
    private readonly SshPrivateKey _hostKey;
    private readonly CancellationTokenSource _stop;
    private readonly Task _clientLoop;
    private readonly Task _serverLoop;

    private ConnectionPair(SshPrivateKey hostKey, CancellationTokenSource stop, SshConnection client, SshConnection server)
    {
        _hostKey = hostKey;
        _stop = stop;
        Client = client;
        Server = server;
        _clientLoop = Task.Run(() => client.RunAsync(stop.Token));
        _serverLoop = Task.Run(() => server.RunAsync(stop.Token));
    }

    public SshConnection Client { get; }

    public SshConnection Server { get; }

    /// <summary>True while neither dispatch loop has ended (by error or disconnect).</summary>
    public bool Running => !_clientLoop.IsCompleted && !_serverLoop.IsCompleted;

    public static async Task<ConnectionPair> StartAsync(IChannelOpenHandler serverHandler)
    {
        var (clientStream, serverStream) = InMemoryDuplexStream.CreatePair(1 << 20);
        var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var server = SshTransport.AcceptAsync(serverStream, [hostKey], null, null, stop.Token);
        var client = SshTransport.ConnectAsync(clientStream, (_, _) => ValueTask.CompletedTask, null, null, stop.Token);
        await Task.WhenAll(server, client);
        return new ConnectionPair(hostKey, stop, new SshConnection(await client, null), new SshConnection(await server, serverHandler));
    }

    /// <summary>Accepts every channel after <see cref="Release"/>; hands the server's side of each to <see cref="Opened"/>.</summary>
    public sealed class GatedHandler : IChannelOpenHandler
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedHandler(bool open = true, bool accept = true)
        {
            Accept = accept;
            if (open) Release();
        }

        public bool Accept { get; }

        public System.Threading.Channels.Channel<SshChannel> Opened { get; } = System.Threading.Channels.Channel.CreateUnbounded<SshChannel>();

        public void Release() => _gate.TrySetResult();

        public async ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            return Accept
                ? ChannelOpenDecision.Accept(channel => Opened.Writer.TryWrite(channel))
                : ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "refused");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Task.WhenAll(_clientLoop, _serverLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _hostKey.Dispose();
        _stop.Dispose();
    }
}
