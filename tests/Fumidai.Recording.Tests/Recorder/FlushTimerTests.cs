using System.Diagnostics;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>The flush timer runs only while a part is open: a quiet session costs no timer ticks once its chunk is sealed.</summary>
public sealed class FlushTimerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-flush-").FullName;

    private static readonly ChunkingOptions Options = new()
    {
        MaxChunkBytes = 1 << 20,
        MaxChunkAge = TimeSpan.FromMilliseconds(200),
        FlushInterval = TimeSpan.FromMilliseconds(40),
    };

    [Fact]
    public async Task A_quiet_recording_stops_ticking_once_its_part_is_sealed_and_starts_again_on_the_next_write()
    {
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        await using var writer = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, Options);
        writer.Write("first line\n"u8);
        await WaitUntilAsync(() => writer.SealedChunks == 1, "the first part was never sealed by age");
        // Sealing happens on a tick; let any tick already scheduled land before taking the count.
        await Task.Delay(100);
        long ticks = writer.FlushTicks;
        await Task.Delay(600);
        Assert.InRange(writer.FlushTicks - ticks, 0, 1);

        writer.Write("second line\n"u8);
        await WaitUntilAsync(() => writer.SealedChunks == 2, "the timer did not come back for the next write: its part was never sealed");
        Assert.True(writer.FlushTicks > ticks);
        var manifest = await writer.CompleteAsync("exit");
        Assert.Equal(2, manifest.Chunks.Count);
    }

    [Fact]
    public async Task A_partial_line_keeps_the_timer_running_so_it_is_still_made_durable()
    {
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        await using var writer = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, Options);
        writer.Write("no line end yet"u8);
        long ticks = writer.FlushTicks;
        await Task.Delay(500);
        // A part that cannot be sealed (no line end) is still open and must keep being flushed.
        Assert.True(writer.FlushTicks - ticks >= 3, $"{writer.FlushTicks - ticks} ticks");
        Assert.Equal(0, writer.SealedChunks);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), what);
            await Task.Delay(20);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
