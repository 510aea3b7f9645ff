using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>Both directions of a session keep being recorded while the spool's fsync is slow.</summary>
public sealed class SlowFlushTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-slowflush-").FullName;

    [Fact]
    public async Task Output_and_input_do_not_wait_for_a_slow_fsync()
    {
        using var entered = new SemaphoreSlim(0);
        using var gate = new ManualResetEventSlim(false);
        int armed = 0;
        var options = RecordingHarness.FastChunks with
        {
            MaxChunkBytes = 1 << 20,
            MaxChunkAge = TimeSpan.FromMinutes(1),
            FlushInterval = TimeSpan.FromMilliseconds(50),
            FlushToDisk = _ =>
            {
                if (Volatile.Read(ref armed) == 0) return;
                entered.Release();
                gate.Wait(TimeSpan.FromSeconds(20));
            },
        };
        await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(_root, "store")));
        var descriptor = RecordingHarness.Descriptor();
        var recorder = harness.NewRecorder(descriptor, options);
        try
        {
            recorder.Output("first\r\n"u8);
            Volatile.Write(ref armed, 1);
            Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(10)), "the flush timer never fsynced the dirty part");

            // The fsync is now stuck on the gate: a write from each direction must still go through at once.
            var writes = Task.Run(() =>
            {
                recorder.Output("second\r\n"u8);
                recorder.Input("typed"u8);
            });
            var finished = await Task.WhenAny(writes, Task.Delay(TimeSpan.FromSeconds(3)));
            Assert.True(finished == writes, "a write waited for the fsync in progress");
        }
        finally
        {
            gate.Set();
        }
        await recorder.CompleteAsync();
        Assert.Null(recorder.Failure);
        await recorder.Chunks.Uploaded.WaitAsync(TimeSpan.FromSeconds(30));
        var (_, output, events) = await harness.ReadBackAsync(descriptor.Prefix);
        Assert.Equal("first\r\nsecond\r\n", output);
        Assert.Contains(events, e => e.Type == Asciicast.AsciicastEventType.Input && e.Data == "typed");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
