using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Keyframes;

/// <summary>Keyframes made as a recording's chunks are sealed are exactly those the first viewer would build from the store.</summary>
public sealed class SealedChunkKeyframesTests() : FileStoreTest("fumidai-keyframes-")
{
    [Fact]
    public async Task Keyframes_made_while_recording_equal_those_built_from_the_store_at_first_view()
    {
        var descriptor = RecordingHarness.Descriptor();
        var live = new KeyframeCache(Path.Combine(Root, "live"));
        var events = new List<AsciicastEvent>();
        var observer = new SealedChunkKeyframes(live, descriptor, CancellationToken.None) { Events = events.Add, Extras = () => [("extra.txt", "x"u8.ToArray())] };
        var recorder = NewRecorder(descriptor, observer);
        WriteScreens(recorder);
        await recorder.CompleteAsync();

        Assert.True(await observer.Completion.WaitAsync(TimeSpan.FromSeconds(30)), observer.Problem);
        await recorder.Chunks.Uploaded.WaitAsync(TimeSpan.FromSeconds(30));
        var (manifest, problem) = await ManifestCheck.CheckAsync(Harness.Store, Harness.Signer.Verifier(), descriptor.Prefix, CancellationToken.None);
        Assert.True(manifest is not null, problem);
        Assert.True(manifest.Chunks.Count >= 5, $"{manifest.Chunks.Count} chunks; the test needs several");

        var built = new KeyframeCache(Path.Combine(Root, "built"));
        await KeyframeBuilder.BuildAsync(Harness.Store, manifest, built, null, CancellationToken.None);
        string liveFolder = Path.Combine(live.Root, descriptor.Id, manifest.FinalChain);
        string builtFolder = Path.Combine(built.Root, descriptor.Id, manifest.FinalChain);
        Assert.Equal(manifest.Chunks.Count + 2, Directory.GetFiles(liveFolder).Length); // keyframes, index, extra
        foreach (string file in Directory.GetFiles(builtFolder))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(liveFolder, Path.GetFileName(file))));
        Assert.Equal("x", File.ReadAllText(Path.Combine(liveFolder, "extra.txt")));
        Assert.Single(Directory.GetDirectories(Path.Combine(live.Root, descriptor.Id))); // no staging folder left
        Assert.NotNull(await live.ReadIndexAsync(manifest, CancellationToken.None));
        Assert.Contains(events, e => e.Type == AsciicastEventType.Input && e.Data == "ls\r");
    }

    [Fact]
    public async Task A_node_stopping_before_the_end_leaves_nothing_behind_and_the_recording_is_unharmed()
    {
        var descriptor = RecordingHarness.Descriptor();
        var cache = new KeyframeCache(Path.Combine(Root, "stopped"));
        using var stopping = new CancellationTokenSource();
        var observer = new SealedChunkKeyframes(cache, descriptor, stopping.Token);
        var recorder = NewRecorder(descriptor, observer);
        WriteScreens(recorder);
        await stopping.CancelAsync();
        await recorder.CompleteAsync();

        Assert.False(await observer.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(recorder.Failure);
        await recorder.Chunks.Uploaded.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True((await Harness.Verifier.VerifyAsync(descriptor.Prefix)).Ok);
        string folder = Path.Combine(cache.Root, descriptor.Id);
        Assert.True(!Directory.Exists(folder) || Directory.GetFileSystemEntries(folder).Length == 0, "a staging folder was left");
    }

    private SessionRecorder NewRecorder(RecordingDescriptor descriptor, IChunkObserver observer) =>
        SessionRecorder.CreateChunked(ChunkedRecordingWriter.Create(Harness.SpoolRoot, descriptor, Harness.Uploader, Harness.Signer,
            RecordingHarness.FastChunks, observer), new AsciicastHeader(80, 24) { Timestamp = descriptor.Start.ToUnixTimeSeconds() });

    /// <summary>Colours, a resize, input, a marker and a full-screen program left open across chunk boundaries.</summary>
    private static void WriteScreens(SessionRecorder recorder)
    {
        recorder.Marker("target web01");
        for (int i = 0; i < 400; i++)
        {
            recorder.Output(Encoding.UTF8.GetBytes($"\u001b[3{i % 8}mrow {i} {new string('=', 30)}\u001b[0m\r\n"));
            if (i == 60) recorder.Resize(100, 30);
            if (i == 90) recorder.Input("ls\r"u8);
            if (i == 300) recorder.Output("\u001b[?1049h\u001b[2J\u001b[Htop screen"u8);
        }
    }
}
