using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>How a channel ends: a closed channel says so with its own exception, and an abandoned open leaves nothing behind.</summary>
public sealed class ChannelLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Using_a_channel_after_close_throws_the_channel_closed_exception()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var channel = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        await channel.CloseAsync(timeout.Token);

        await Assert.ThrowsAsync<SshChannelClosedException>(() => channel.WriteAsync("late"u8.ToArray(), timeout.Token).AsTask());
        await Assert.ThrowsAsync<SshChannelClosedException>(() => channel.WriteExtendedAsync("late"u8.ToArray(), timeout.Token).AsTask());
        await Assert.ThrowsAsync<SshChannelClosedException>(() => channel.SendRequestAsync(new ExecRequest(true, "true"), timeout.Token).AsTask());
        await Assert.ThrowsAsync<SshChannelClosedException>(() => channel.SendExitStatusAsync(0, timeout.Token).AsTask());
    }

    [Fact]
    public async Task Writing_after_our_eof_throws_the_channel_closed_exception()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var channel = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        await channel.SendEofAsync(timeout.Token);

        await Assert.ThrowsAsync<SshChannelClosedException>(() => channel.WriteAsync("late"u8.ToArray(), timeout.Token).AsTask());
    }

    [Fact]
    public async Task Cancelled_open_is_unregistered_and_a_late_confirmation_closes_the_channel()
    {
        var handler = new ConnectionPair.GatedHandler(open: false);
        await using var pair = await ConnectionPair.StartAsync(handler);
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), soon.Token));
        }
        Assert.Equal(0, pair.Client.ChannelCount);

        // The server confirms after the client gave up: the client must close that channel, not keep it unowned.
        handler.Release();
        using var timeout = new CancellationTokenSource(Patience);
        var serverSide = await handler.Opened.Reader.ReadAsync(timeout.Token);
        await serverSide.Closed.WaitAsync(timeout.Token);
        // The client drops its side when the server's CLOSE arrives, just after the server's side completed.
        for (int i = 0; i < 100 && pair.Client.ChannelCount + pair.Server.ChannelCount > 0; i++) await Task.Delay(20, timeout.Token);
        Assert.Equal(0, pair.Server.ChannelCount);
        Assert.Equal(0, pair.Client.ChannelCount);

        // The connection goes on: a new open works and gets a fresh channel.
        var next = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        Assert.Equal(1, pair.Client.ChannelCount);
        await next.CloseAsync(timeout.Token);
        Assert.True(pair.Running);
    }

    [Fact]
    public async Task Late_refusal_of_a_cancelled_open_is_absorbed()
    {
        var handler = new ConnectionPair.GatedHandler(open: false, accept: false);
        await using var pair = await ConnectionPair.StartAsync(handler);
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), soon.Token));
        }
        Assert.Equal(0, pair.Client.ChannelCount);
        handler.Release();

        // The refusal of the abandoned open arrives first; the next open is refused in its own right.
        using var timeout = new CancellationTokenSource(Patience);
        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, refused.Reason);
        Assert.Equal(0, pair.Client.ChannelCount);
        Assert.True(pair.Running);
    }
}
