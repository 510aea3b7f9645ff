using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Xunit.Abstractions;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>
/// A peer that sends requests wanting replies but never reads them. Each reply waits for the peer, so unless the
/// server stops reading, its pending replies (tasks, buffers) grow without bound: a memory exhaustion attack.
/// </summary>
public sealed class RequestFloodTests
{
    /// <summary>Without backpressure every one of these is read; with it the sender blocks after a few thousand.</summary>
    private const int FloodSize = 20_000;

    private const int BufferBytes = 64 * 1024;

    private readonly ITestOutputHelper _output;

    public RequestFloodTests(ITestOutputHelper output) => _output = output;

    /// <summary>Accepts sessions, refuses every channel request and every other channel type.</summary>
    private sealed class RefusingHandler : IChannelOpenHandler
    {
        public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.ChannelType == "session"
                ? ChannelOpenDecision.Accept(channel => channel.RequestHandler = (_, _) => ValueTask.FromResult(false))
                : ChannelOpenDecision.Reject(ChannelOpenFailureReason.UnknownChannelType, "no"));
    }

    [Theory]
    [InlineData("global-request")]
    [InlineData("channel-request")]
    [InlineData("channel-open")]
    public async Task Server_stops_reading_when_replies_back_up(string kind)
    {
        // In memory, with 64 KiB per direction, so the replies back up after about two thousand.
        var (clientStream, serverStream) = InMemoryDuplexStream.CreatePair(BufferBytes);
        using var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var server = Task.Run(async () =>
        {
            await using var transport = await SshTransport.AcceptAsync(serverStream, [hostKey], null, null, stop.Token);
            await using var connection = new SshConnection(transport, new RefusingHandler());
            await connection.RunAsync(stop.Token);
        });
        await using var client = await ScriptedClient.ConnectAsync(clientStream);
        uint channel = kind == "channel-request" ? (await client.OpenSessionAsync()).RemoteId : 0;
        (MessageNumber Request, MessageNumber Reply, Action<SshWriter> Body) flood = kind switch
        {
            "global-request" => (MessageNumber.GlobalRequest, MessageNumber.RequestFailure, w =>
            {
                w.WriteString("keepalive@openssh.com");
                w.WriteBoolean(true);
            }),
            "channel-request" => (MessageNumber.ChannelRequest, MessageNumber.ChannelFailure, w =>
            {
                w.WriteUInt32(channel);
                w.WriteString("env");
                w.WriteBoolean(true);
                w.WriteString("NAME");
                w.WriteString("value");
            }),
            _ => (MessageNumber.ChannelOpen, MessageNumber.ChannelOpenFailure, w =>
            {
                w.WriteString("bogus");
                w.WriteUInt32(1);
                w.WriteUInt32(1 << 20);
                w.WriteUInt32(32 * 1024);
            }),
        };

        int sent = 0;
        Task? blocked = null;
        for (; sent < FloodSize; sent++)
        {
            var send = client.SendAsync(flood.Request, flood.Body);
            // A send that does not finish within 2 s means the server stopped reading: backpressure reached us.
            if (await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(2))) != send)
            {
                blocked = send;
                break;
            }
        }
        _output.WriteLine($"{kind}: {sent} requests sent, then {(blocked is null ? "the flood ended" : "the sender blocked")}");
        Assert.True(blocked is not null, $"the server read all {FloodSize} requests while their replies were unread");

        // Reading the replies releases the server: every request, the blocked one included, is answered in order.
        for (int i = 0; i <= sent; i++) await client.ReceiveSkippingAsync(flood.Reply);
        await blocked;
        Assert.False(server.IsCompleted, "the server connection ended");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server);
    }
}
