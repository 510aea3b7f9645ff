using System.Collections.Concurrent;
using System.Diagnostics;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>One flusher makes every written part durable each interval, only the written ones, and spreads the age seals.</summary>
public sealed class PartFlusherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-flusher-").FullName;

    [Fact]
    public async Task Every_written_part_is_made_durable_within_a_few_intervals_and_a_part_not_written_again_is_not_synced_again()
    {
        var synced = new ConcurrentDictionary<Microsoft.Win32.SafeHandles.SafeFileHandle, int>();
        // An interval of its own, so this test's flusher serves only these writers.
        var options = new ChunkingOptions
        {
            MaxChunkBytes = 1 << 20,
            MaxChunkAge = TimeSpan.FromMinutes(1),
            SealWhenQuietFor = TimeSpan.FromMinutes(1),
            FlushInterval = TimeSpan.FromMilliseconds(53),
            FlushToDisk = handle => synced.AddOrUpdate(handle, 1, (_, n) => n + 1),
        };
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        var writers = Enumerable.Range(0, 5)
            .Select(_ => ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, options))
            .ToList();
        try
        {
            foreach (var writer in writers) writer.Write("typed\n"u8);
            await WaitUntilAsync(() => synced.Count == writers.Count, "not every written part was synced");
            // Nothing written since: later rounds must not sync them again.
            await Task.Delay(300);
            var counts = synced.Values.ToList();
            await Task.Delay(300);
            Assert.Equal(counts, synced.Values.ToList());
            Assert.All(synced.Values, n => Assert.Equal(1, n));

            writers[0].Write("more\n"u8);
            await WaitUntilAsync(() => synced.Values.Sum() == writers.Count + 1, "a part written again was not synced again");
        }
        finally
        {
            foreach (var writer in writers) await writer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_part_is_on_disk_after_one_round_with_the_default_sync()
    {
        var options = new ChunkingOptions { MaxChunkBytes = 1 << 20, MaxChunkAge = TimeSpan.FromMinutes(1), SealWhenQuietFor = TimeSpan.FromMinutes(1), FlushInterval = TimeSpan.FromMilliseconds(61) };
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        await using var first = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, options);
        await using var second = ChunkedRecordingWriter.Create(harness.SpoolRoot, RecordingHarness.Descriptor(), harness.Uploader, harness.Signer, options);
        first.Write("one\n"u8);
        second.Write("two\n"u8);
        // The part's buffered bytes reach the file on the flusher's round (then syncfs makes them durable).
        await WaitUntilAsync(() => PartText(first) == "one\n" && PartText(second) == "two\n", "the parts' bytes never reached their files");
        Assert.Null(first.Failure);
        Assert.Null(second.Failure);
    }

    [Fact]
    public void Part_age_limits_are_spread_over_the_last_quarter_and_never_exceed_the_maximum()
    {
        var max = TimeSpan.FromSeconds(30);
        var drawn = Enumerable.Range(0, 1000).Select(_ => ChunkingOptions.Jittered(max)).ToList();
        Assert.All(drawn, age => Assert.InRange(age, max * 0.75, max));
        // Sessions opened together must not all seal in the same second.
        Assert.True(drawn.Select(a => (int)a.TotalSeconds).Distinct().Count() >= 5, "age limits are not spread over several seconds");
    }

    private static string PartText(ChunkedRecordingWriter writer)
    {
        var part = Directory.GetFiles(writer.SpoolDirectory, "part-*").SingleOrDefault();
        if (part is null) return "";
        using var stream = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
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
