using System.Text;
using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>Consuming a channel a chunk at a time: everything in order until EOF, and window given back only once a chunk is passed on.</summary>
public sealed class ChannelChunksTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Data_and_stderr_arrive_in_order_until_eof_with_their_totals()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var client = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        var server = await handler.Opened.Reader.ReadAsync(timeout.Token);
        var data = new StringBuilder();
        var errors = new StringBuilder();
        var stdout = server.ConsumeAsync(extended: false, (chunk, _) =>
        {
            data.Append(Encoding.ASCII.GetString(chunk.Span));
            return ValueTask.CompletedTask;
        }, timeout.Token);
        var stderr = server.ConsumeAsync(extended: true, (chunk, _) =>
        {
            errors.Append(Encoding.ASCII.GetString(chunk.Span));
            return ValueTask.CompletedTask;
        }, timeout.Token);

        await client.WriteAsync("one "u8.ToArray(), timeout.Token);
        await client.WriteExtendedAsync("oops"u8.ToArray(), timeout.Token);
        await client.WriteAsync("two "u8.ToArray(), timeout.Token);
        await client.WriteAsync("three"u8.ToArray(), timeout.Token);
        await client.SendEofAsync(timeout.Token);

        Assert.Equal(13, await stdout.WaitAsync(timeout.Token));
        Assert.Equal(4, await stderr.WaitAsync(timeout.Token));
        Assert.Equal("one two three", data.ToString());
        Assert.Equal("oops", errors.ToString());
    }

    [Fact]
    public async Task With_deferred_credit_the_sender_waits_until_the_consumer_is_done()
    {
        var handler = new ConnectionPair.GatedHandler();
        await using var pair = await ConnectionPair.StartAsync(handler);
        using var timeout = new CancellationTokenSource(Patience);
        var client = await pair.Client.OpenChannelAsync(new ChannelOpenRequest("session"), timeout.Token);
        var server = await handler.Opened.Reader.ReadAsync(timeout.Token);
        server.DeferCredit = true;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long consumed = 0;
        var consuming = server.ConsumeAsync(extended: false, async (chunk, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            Interlocked.Add(ref consumed, chunk.Length);
        }, timeout.Token);

        // More than one window: the last bytes can only go once window comes back.
        var payload = new byte[server.LocalWindowSize + 4096];
        var writing = client.WriteAsync(payload, timeout.Token).AsTask();
        await Task.Delay(300, timeout.Token);
        Assert.False(writing.IsCompleted, "the sender got window back before the consumer had passed anything on");

        gate.SetResult();
        await writing.WaitAsync(timeout.Token);
        await client.SendEofAsync(timeout.Token);
        Assert.Equal(payload.Length, await consuming.WaitAsync(timeout.Token));
        Assert.Equal(payload.Length, Interlocked.Read(ref consumed));
    }
}
