using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>A channel as a <see cref="Stream"/> behaves like a stream to the protocol running over it (an SSH client in a tunnel).</summary>
public sealed class ChannelStreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Writing_after_the_peer_closed_the_channel_is_an_IOException_as_on_a_closed_socket()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var channel = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("tunnel"), timeout.Token);
        var peer = await handler.Opened.Reader.ReadAsync(timeout.Token);
        await using var stream = new SshChannelStream(channel);

        await peer.CloseAsync(timeout.Token);
        Assert.Equal(0, await stream.ReadAsync(new byte[16], timeout.Token));

        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync("late"u8.ToArray(), timeout.Token).AsTask());
    }

    [Fact]
    public async Task Disposing_the_stream_synchronously_closes_the_channel()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var channel = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("tunnel"), timeout.Token);
        var peer = await handler.Opened.Reader.ReadAsync(timeout.Token);
        var stream = new SshChannelStream(channel);

        // What a transport does when it closes: Stream.Dispose, not DisposeAsync.
        stream.Dispose();

        Assert.Equal(0, await peer.ReadAsync(new byte[16], timeout.Token));
    }
}
