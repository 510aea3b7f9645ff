using System.Diagnostics;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>A chunk is sealed once its session goes quiet, and a busy session's only at the maximum age: sealing cost a busy node most of its CPU.</summary>
public sealed class QuietSealTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-quietseal-").FullName;

    private static readonly ChunkingOptions Options = new()
    {
        MaxChunkBytes = 1 << 20,
        MaxChunkAge = TimeSpan.FromSeconds(30),
        SealWhenQuietFor = TimeSpan.FromMilliseconds(300),
        FlushInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task A_part_that_goes_quiet_is_sealed_long_before_its_maximum_age()
    {
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        await using var writer = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, Options);
        writer.Write("ls -l\n"u8);
        var clock = Stopwatch.StartNew();
        await WaitUntilAsync(() => writer.SealedChunks == 1, TimeSpan.FromSeconds(10), "a quiet part was not sealed within 10 s (its maximum age is 30 s)");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"sealed after {clock.Elapsed.TotalMilliseconds:F0} ms, before it was quiet for 300 ms");
        var manifest = await writer.CompleteAsync("exit");
        Assert.Single(manifest.Chunks);
    }

    [Fact]
    public async Task A_busy_part_is_not_sealed_while_lines_keep_coming_more_often_than_the_quiet_interval()
    {
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        await using var writer = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, Options);
        // A line every 50 ms for 1.5 s: five quiet intervals long, never quiet for one. Bounded by count and time.
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 30 && clock.Elapsed < TimeSpan.FromSeconds(5); i++)
        {
            writer.Write("x\n"u8);
            await Task.Delay(50);
        }
        // A loaded machine may stall this loop past the quiet interval; only then may a seal have happened.
        if (clock.Elapsed < TimeSpan.FromSeconds(2)) Assert.Equal(0, writer.SealedChunks);
        await WaitUntilAsync(() => writer.SealedChunks >= 1, TimeSpan.FromSeconds(10), "the part was not sealed once the writes stopped");
        var manifest = await writer.CompleteAsync("exit");
        Assert.Equal(30 * 2, manifest.Chunks.Sum(c => c.RawBytes));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, what);
            await Task.Delay(20);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
