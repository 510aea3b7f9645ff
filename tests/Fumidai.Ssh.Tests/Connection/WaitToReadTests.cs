using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>Waiting for a channel's data without a buffer: a relay rents one only once there is something to copy.</summary>
public sealed class WaitToReadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Waiting_consumes_nothing_and_answers_false_only_at_the_end()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var client = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        var server = await handler.Opened.Reader.ReadAsync(timeout.Token);

        var waiting = server.WaitToReadAsync(timeout.Token).AsTask();
        await Task.Delay(200, timeout.Token);
        Assert.False(waiting.IsCompleted, "nothing was sent, yet the wait ended");

        await client.WriteAsync("hello"u8.ToArray(), timeout.Token);
        Assert.True(await waiting.WaitAsync(timeout.Token));
        // A second wait sees the same unread bytes at once; the read then gets them all.
        Assert.True(await server.WaitToReadAsync(timeout.Token).AsTask().WaitAsync(timeout.Token));
        var buffer = new byte[16];
        int read = await server.ReadAsync(buffer, timeout.Token);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        await client.WriteExtendedAsync("err"u8.ToArray(), timeout.Token);
        Assert.True(await server.WaitToReadExtendedAsync(timeout.Token).AsTask().WaitAsync(timeout.Token));
        read = await server.ReadExtendedAsync(buffer, timeout.Token);
        Assert.Equal("err", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        await client.SendEofAsync(timeout.Token);
        Assert.False(await server.WaitToReadAsync(timeout.Token).AsTask().WaitAsync(timeout.Token));
        Assert.Equal(0, await server.ReadAsync(buffer, timeout.Token));
    }

    [Fact]
    public async Task A_wait_is_cancelled_by_its_token()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        _ = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        var server = await handler.Opened.Reader.ReadAsync(timeout.Token);
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.WaitToReadAsync(soon.Token).AsTask());
    }
}
