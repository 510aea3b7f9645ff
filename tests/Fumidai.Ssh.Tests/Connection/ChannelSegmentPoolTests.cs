using System.Buffers;
using System.IO.Pipelines;
using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>The channel pipes' segment pool: a keystroke's segment comes back from any thread without a new allocation, and once only.</summary>
public sealed class ChannelSegmentPoolTests
{
    [Fact]
    public async Task A_pipe_used_a_keystroke_at_a_time_across_threads_allocates_no_segments()
    {
        // A size of its own, so other tests' pipes do not share the bucket.
        const int segmentSize = 3 * 1024 * 1024;
        var pipe = new Pipe(new PipeOptions(pool: ChannelSegmentPool.Instance, pauseWriterThreshold: 0, resumeWriterThreshold: 0,
            minimumSegmentSize: segmentSize, useSynchronizationContext: false));
        byte[] key = [(byte)'x'];

        async Task TypeAsync(int keys)
        {
            for (int i = 0; i < keys; i++)
            {
                // Written from one thread, read and released on another, as dispatch and the relay do.
                await Task.Run(async () =>
                {
                    pipe.Writer.Write(key.AsSpan());
                    await pipe.Writer.FlushAsync();
                });
                var result = await Task.Run(async () => await pipe.Reader.ReadAsync());
                Assert.Equal(1, result.Buffer.Length);
                pipe.Reader.AdvanceTo(result.Buffer.End);
            }
        }

        await TypeAsync(20);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await TypeAsync(200);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        // 200 fresh segments would be 600 MiB; the tasks and closures of the test itself are a few KiB per key.
        Assert.True(allocated < segmentSize, $"{allocated} bytes allocated for 200 keystrokes");
    }

    [Fact]
    public void A_segment_returned_twice_is_handed_out_once()
    {
        const int size = 5 * 1024 * 1024;
        var first = ChannelSegmentPool.Instance.Rent(size);
        var array = first.Memory;
        first.Dispose();
        first.Dispose();
        var second = ChannelSegmentPool.Instance.Rent(size);
        var third = ChannelSegmentPool.Instance.Rent(size);
        Assert.False(second.Memory.Span.Overlaps(third.Memory.Span), "one array was handed to two renters");
        Assert.True(second.Memory.Span.Overlaps(array.Span) || third.Memory.Span.Overlaps(array.Span), "the returned segment was not reused");
        second.Dispose();
        third.Dispose();
    }
}
