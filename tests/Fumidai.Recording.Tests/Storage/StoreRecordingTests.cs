using System.Text;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>The recording and object-store behaviour every store must have; run for the directory store and for S3 (s3rver).</summary>
public abstract class StoreRecordingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected abstract Task<IObjectStore> CreateStoreAsync();

    [Fact]
    public async Task Objects_put_get_list_delete()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("recordings/2025/01/02/a/000001.cast.br", new byte[] { 1, 2, 3 });
        await store.PutAsync("recordings/2025/01/02/a/000000.cast.br", new byte[] { 4 });
        await store.PutAsync("recordings/2025/01/02/ab/manifest.json", "{}"u8.ToArray(), new Dictionary<string, string> { ["session"] = "ab" });
        await store.PutAsync("audit/2025/01/02/p/000000.jsonl.br", new byte[] { 5 });
        await store.PutAsync("recordings/2025/01/02/a/000001.cast.br", new byte[] { 9, 9 });

        Assert.Equal(new byte[] { 9, 9 }, await store.GetAsync("recordings/2025/01/02/a/000001.cast.br"));
        Assert.Null(await store.GetAsync("recordings/2025/01/02/a/000002.cast.br"));
        var listed = await List(store, "recordings/2025/01/02/a/");
        Assert.Equal(["recordings/2025/01/02/a/000000.cast.br", "recordings/2025/01/02/a/000001.cast.br"], listed.Select(o => o.Key));
        Assert.Equal([1L, 2L], listed.Select(o => o.Size));
        Assert.Equal(3, (await List(store, "recordings/")).Count);

        await store.DeleteAsync("recordings/2025/01/02/a/000000.cast.br");
        Assert.Null(await store.GetAsync("recordings/2025/01/02/a/000000.cast.br"));
        await store.CheckWritableAsync();
    }

    [Fact]
    public async Task Chunks_are_in_the_store_while_the_session_runs_and_the_recording_verifies()
    {
        var store = await CreateStoreAsync();
        await using var h = new RecordingHarness(store);
        var d = RecordingHarness.Descriptor();
        var recorder = h.NewRecorder(d);
        RecordingHarness.WriteLines(recorder, 0, 300);
        recorder.Resize(100, 30);
        recorder.Input("ls\r"u8);

        // Bounded wait: chunks must appear in the store before the recorder is completed.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        List<ObjectInfo> live;
        do
        {
            await Task.Delay(100);
            live = await List(store, d.Prefix);
        } while (live.Count < 2 && waited.Elapsed < Patience);
        Assert.True(live.Count >= 2, $"only {live.Count} chunks in the store while recording");
        Assert.DoesNotContain(live, o => o.Key.EndsWith(ObjectLayout.ManifestName, StringComparison.Ordinal));

        RecordingHarness.WriteLines(recorder, 300, 100);
        await recorder.CompleteAsync("closed");
        await recorder.Chunks!.Uploaded.WaitAsync(Patience);
        Assert.False(Directory.Exists(recorder.Path), "the spool folder is removed once the manifest is up");

        var result = await h.Verifier.VerifyAsync(d.Prefix);
        Assert.True(result.Ok, result.Problem);
        var m = result.Manifest!;
        Assert.Equal("closed", m.EndReason);
        Assert.Equal("alice", m.Metadata["user"]);
        Assert.True(m.Chunks.Count >= 4, $"{m.Chunks.Count} chunks");
        Assert.Equal(m.Chunks.Sum(c => c.RawBytes), m.TotalRawBytes);

        var (header, output, events) = await h.ReadBackAsync(d.Prefix);
        Assert.Equal(80, header.Width);
        Assert.Equal(Expected(0, 400), output);
        Assert.Contains(events, e => e.Type == Asciicast.AsciicastEventType.Resize && e.Data == "100x30");
        Assert.Contains(events, e => e.Type == Asciicast.AsciicastEventType.Marker && e.Data == "end: closed");
        Assert.Equal([d.Prefix], await RecordingFolders.ListAsync(store));
        Assert.Equal(d.Prefix, await RecordingFolders.FindAsync(store, d.Id));
    }

    [Fact]
    public async Task Tampering_is_detected_and_named()
    {
        var store = await CreateStoreAsync();
        await using var h = new RecordingHarness(store);
        var prefixes = new List<string>();
        for (int r = 0; r < 4; r++)
        {
            var d = RecordingHarness.Descriptor();
            var recorder = h.NewRecorder(d);
            RecordingHarness.WriteLines(recorder, 0, 500);
            await recorder.CompleteAsync("closed");
            await recorder.Chunks!.Uploaded.WaitAsync(Patience);
            prefixes.Add(d.Prefix);
        }
        var manifest = ManifestCodec.Read((await store.GetAsync(ObjectLayout.ManifestKey(prefixes[0])))!).Manifest;
        Assert.True(manifest.Chunks.Count >= 4);

        // One byte of chunk 3 changed.
        string chunk3 = prefixes[0] + manifest.Chunks[3].Name;
        byte[] bytes = (await store.GetAsync(chunk3))!;
        bytes[bytes.Length / 2] ^= 0x01;
        await store.PutAsync(chunk3, bytes);
        // Chunk 2 of the second recording deleted.
        var second = ManifestCodec.Read((await store.GetAsync(ObjectLayout.ManifestKey(prefixes[1])))!).Manifest;
        await store.DeleteAsync(prefixes[1] + second.Chunks[2].Name);
        // The third's manifest replaced by one signed with another key (chunks untouched).
        var third = ManifestCodec.Read((await store.GetAsync(ObjectLayout.ManifestKey(prefixes[2])))!).Manifest;
        using (var other = Ed25519ManifestSigner.Create())
            await store.PutAsync(ObjectLayout.ManifestKey(prefixes[2]), ManifestCodec.Write(third with { EndReason = "closed" }, other));

        var progress = new List<VerificationProgress>();
        var results = await h.Verifier.VerifyAllAsync(progress: new SyncProgress(progress));
        Assert.Equal(4, results.Count);
        Assert.Equal(4, progress.Count);
        Assert.Equal(4, progress[^1].Total);
        var byPrefix = results.ToDictionary(r => r.Prefix);
        Assert.Equal("chunk 3: SHA-256 mismatch", byPrefix[prefixes[0]].Problem);
        Assert.Equal("chunk 2 missing", byPrefix[prefixes[1]].Problem);
        Assert.StartsWith("manifest signature invalid (signed by SHA256:", byPrefix[prefixes[2]].Problem);
        Assert.True(byPrefix[prefixes[3]].Ok, byPrefix[prefixes[3]].Problem);
    }

    [Fact]
    public async Task A_spool_left_by_a_crash_is_finished_as_interrupted_and_verifies()
    {
        var store = await CreateStoreAsync();
        await using var h = new RecordingHarness(store);
        var d = RecordingHarness.Descriptor();
        // The dead process: chunks sealed but never uploaded (the store was down), an open part, a torn last line.
        var spool = ChunkSpool.Create(h.SpoolRoot, d);
        var header = new Asciicast.AsciicastHeader(80, 24);
        using (var part = new MemoryStream())
        {
            using (var w = new Asciicast.AsciicastWriter(part, leaveOpen: true)) w.WriteHeader(header);
            File.WriteAllBytes(spool.PartPath(0), part.ToArray());
        }
        AppendEvents(spool.PartPath(0), 0, 50);
        spool.Seal(0);
        AppendEvents(spool.PartPath(1), 50, 50);
        spool.Seal(1);
        AppendEvents(spool.PartPath(2), 100, 30);
        File.AppendAllText(spool.PartPath(2), "[12.5, \"o\", \"torn li");

        var recovered = new RecoveryScanner(h.SpoolRoot, h.Uploader, h.Signer).Recover();
        var r = Assert.Single(recovered);
        Assert.Equal(d.Id, r.Id);
        Assert.Equal(RecordingManifest.EndReasonInterrupted, r.EndReason);
        Assert.Equal(3, r.Chunks);
        await r.Uploaded.WaitAsync(Patience);
        Assert.Empty(Directory.EnumerateFileSystemEntries(h.SpoolRoot));

        var result = await h.Verifier.VerifyAsync(d.Prefix);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal("interrupted", result.Manifest!.EndReason);
        Assert.Equal(Expected(0, 130), (await h.ReadBackAsync(d.Prefix)).Output);
    }

    [Fact]
    public async Task A_recording_crashed_mid_session_during_an_outage_is_recovered_by_the_next_process()
    {
        var store = await CreateStoreAsync();
        await using var h = new RecordingHarness(store);
        var d = RecordingHarness.Descriptor();
        // First process: its store never answers, so everything stays in the spool.
        await using (var deadUploader = new SpoolUploader(new FailingStore(), RecordingHarness.FastRetry))
        {
            var writer = ChunkedRecordingWriter.Create(h.SpoolRoot, d, deadUploader, h.Signer, RecordingHarness.FastChunks);
            var recorder = Recorder.SessionRecorder.CreateChunked(writer, new Asciicast.AsciicastHeader(80, 24));
            RecordingHarness.WriteLines(recorder, 0, 200);
            recorder.Flush();
            // kill -9 here: copy the spool as the dead process leaves it (the live writer's folder is not ours to touch).
            CopyDirectory(recorder.Path, Path.Combine(h.SpoolRoot + "-copy", d.Id));
            await recorder.CompleteAsync("closed");
        }
        string crashedRoot = h.SpoolRoot + "-copy";
        try
        {
            var r = Assert.Single(new RecoveryScanner(crashedRoot, h.Uploader, h.Signer).Recover());
            await r.Uploaded.WaitAsync(Patience);
            var result = await h.Verifier.VerifyAsync(d.Prefix);
            Assert.True(result.Ok, result.Problem);
            Assert.Equal("interrupted", result.Manifest!.EndReason);
            Assert.Equal(Expected(0, 200), (await h.ReadBackAsync(d.Prefix)).Output);
        }
        finally
        {
            Directory.Delete(crashedRoot, recursive: true);
        }
    }

    internal static string Expected(int from, int count) =>
        string.Concat(Enumerable.Range(from, count).Select(i => $"line {i} {new string('x', 40)}\r\n"));

    /// <summary>Appends event lines as the recorder writes them (the header line a writer insists on is dropped).</summary>
    private static void AppendEvents(string path, int from, int count)
    {
        using var buffer = new MemoryStream();
        using (var w = new Asciicast.AsciicastWriter(buffer, leaveOpen: true))
        {
            w.WriteHeader(new Asciicast.AsciicastHeader(80, 24));
            for (int i = from; i < from + count; i++)
                w.WriteEvent(TimeSpan.FromMilliseconds(i), Asciicast.AsciicastEventType.Output, $"line {i} {new string('x', 40)}\r\n");
        }
        byte[] bytes = buffer.ToArray();
        using var file = new FileStream(path, FileMode.Append);
        file.Write(bytes.AsSpan(Array.IndexOf(bytes, (byte)'\n') + 1));
    }

    /// <summary>Copies a live spool in the reverse of the order the writer creates things (chunk, then journal line, then
    /// the part's removal), so the copy is a state a crash could really leave, however sealing interleaves.</summary>
    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        static int Rank(string name) =>
            name.StartsWith("part-", StringComparison.Ordinal) ? 0
            : name == "recording.json" ? 1
            : name.EndsWith(".jsonl", StringComparison.Ordinal) ? 2
            : 3;
        // Each group is listed when its turn comes: a chunk the copied journal names was written before that line.
        foreach (string f in Enumerable.Range(0, 4).SelectMany(rank => Directory.EnumerateFiles(from).Where(f => Rank(Path.GetFileName(f)) == rank).ToList()))
        {
            try
            {
                File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
            }
            catch (FileNotFoundException)
            {
                // The live writer renamed a temporary file while we copied: a crash at that instant would not have it either.
            }
        }
    }

    internal static async Task<List<ObjectInfo>> List(IObjectStore store, string prefix)
    {
        var list = new List<ObjectInfo>();
        await foreach (var o in store.ListAsync(prefix)) list.Add(o);
        return list;
    }

    /// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SyncProgress(List<VerificationProgress> sink) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
