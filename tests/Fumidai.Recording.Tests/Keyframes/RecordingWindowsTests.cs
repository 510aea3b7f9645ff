using System.Collections.Concurrent;
using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Keyframes;

/// <summary>Serving any window of a recording reads exactly one chunk from the store (the window's) and lists nothing, whatever its size.</summary>
public sealed class RecordingWindowsTests() : FileStoreTest("fumidai-windows-")
{
    [Fact]
    public async Task Each_segment_and_each_time_is_served_from_its_own_chunk_alone()
    {
        var descriptor = RecordingHarness.Descriptor();
        var recorder = SessionRecorder.CreateChunked(ChunkedRecordingWriter.Create(Harness.SpoolRoot, descriptor, Harness.Uploader, Harness.Signer,
            RecordingHarness.FastChunks), new AsciicastHeader(80, 24) { Timestamp = descriptor.Start.ToUnixTimeSeconds() });
        for (int i = 0; i < 600; i++) recorder.Output(Encoding.UTF8.GetBytes($"\u001b[3{i % 8}mline {i:D4} {new string('-', 40)}\u001b[0m\r\n"));
        await recorder.CompleteAsync();
        await recorder.Chunks.Uploaded.WaitAsync(TimeSpan.FromSeconds(30));
        var (manifest, problem) = await ManifestCheck.CheckAsync(Harness.Store, Harness.Signer.Verifier(), descriptor.Prefix, CancellationToken.None);
        Assert.True(manifest is not null, problem);
        Assert.True(manifest.Chunks.Count >= 8, $"{manifest.Chunks.Count} chunks; the test needs many");
        var cache = new KeyframeCache(Path.Combine(Root, "cache"));
        var index = await KeyframeBuilder.BuildAsync(Harness.Store, manifest, cache, null, CancellationToken.None);

        var store = new CountingStore(Harness.Store);
        var windows = new RecordingWindows(store, manifest, index, cache);
        for (int n = 0; n < index.Windows.Count; n++)
        {
            store.Reset();
            await windows.WriteSegmentAsync(Stream.Null, n, CancellationToken.None);
            Assert.Equal([descriptor.Prefix + manifest.Chunks[index.Windows[n].Chunk].Name], store.Reads);
            Assert.Equal(0, store.Lists);

            long middle = (index.Windows[n].Start + index.EndOf(n)) / 2;
            store.Reset();
            await windows.WriteCastAsync(Stream.Null, middle, CancellationToken.None);
            Assert.Equal([descriptor.Prefix + manifest.Chunks[index.Windows[index.WindowAt(middle)].Chunk].Name], store.Reads);
            Assert.Equal(0, store.Lists);
        }
    }

    /// <summary>The store's reads and listings, counted.</summary>
    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private readonly ConcurrentQueue<string> _reads = new();
        private int _lists;

        public string[] Reads => [.. _reads];

        public int Lists => _lists;

        public void Reset()
        {
            _reads.Clear();
            _lists = 0;
        }

        public string Description => inner.Description;

        public Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string>? metadata = null, ObjectRetention? retention = null,
            CancellationToken cancellationToken = default) => inner.PutAsync(key, data, metadata, retention, cancellationToken);

        public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            _reads.Enqueue(key);
            return inner.GetAsync(key, cancellationToken);
        }

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _lists);
            return inner.ListAsync(prefix, cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken = default) => inner.CheckWritableAsync(cancellationToken);
    }
}
