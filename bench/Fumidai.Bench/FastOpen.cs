using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;

namespace Fumidai.Bench;

/// <summary>
/// Opening and seeking a large recording the way the console does: a generator writes real chunks through the recorder, then
/// the first view builds the keyframes (one verified pass), and every later open or seek serves one window of one chunk.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project bench/Fumidai.Bench -- fastopen [MiB] [runs]</c>. Server side only: the times are
/// what the console spends before the browser gets the first window (open) and the window at 90 % (seek).
/// </remarks>
internal static class FastOpen
{
    private const int ReadSize = 4096;

    public static async Task RunAsync(int mib, int runs)
    {
        string root = Directory.CreateTempSubdirectory("fumidai-fastopen-").FullName;
        try
        {
            var store = new FileObjectStore(Path.Combine(root, "store"));
            using var signer = Ed25519ManifestSigner.Create();
            var clock = Stopwatch.StartNew();
            var manifest = await GenerateAsync(root, store, signer, mib * 1024L * 1024);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recording: {manifest.TotalRawBytes / 1048576.0:F0} MiB of asciicast, {manifest.Chunks.Count} chunks, {manifest.TotalStoredBytes / 1048576.0:F1} MiB stored, written in {clock.Elapsed.TotalSeconds:F1} s"));
            var verifier = signer.Verifier();
            for (int run = 1; run <= runs; run++)
            {
                var cache = new KeyframeCache(Path.Combine(root, $"cache{run}"));
                clock.Restart();
                var (checkedManifest, problem) = await ManifestCheck.CheckAsync(store, verifier, manifest.Prefix, CancellationToken.None);
                var index = await KeyframeBuilder.BuildAsync(store, checkedManifest ?? throw new InvalidOperationException(problem), cache, null, CancellationToken.None);
                double cold = clock.Elapsed.TotalMilliseconds;

                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                clock.Restart();
                var (opened, _) = await ManifestCheck.CheckAsync(store, verifier, manifest.Prefix, CancellationToken.None);
                var warmIndex = await cache.ReadIndexAsync(opened!, CancellationToken.None);
                var windows = new RecordingWindows(store, opened!, warmIndex!, cache);
                long first = await ServeAsync(windows, 0);
                double open = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                int ninety = index.WindowAt(index.Duration * 9 / 10);
                long seekBytes = await ServeAsync(windows, ninety);
                double seek = clock.Elapsed.TotalMilliseconds;
                // The worst seek in that chunk: its last window, whose screen is the keyframe plus a replay of almost the whole chunk.
                int worst = ninety;
                while (worst + 1 < index.Windows.Count && index.Windows[worst + 1].Chunk == index.Windows[ninety].Chunk) worst++;
                clock.Restart();
                await ServeAsync(windows, worst);
                double worstSeek = clock.Elapsed.TotalMilliseconds;
                long perWindow = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 3;
                double perViewer = await ConcurrentRssAsync(windows, worst, 8);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: first view (verify all + keyframes) {cold / 1000:F1} s; open {open:F0} ms (window 0: {first / 1024} KiB); seek to 90 % {seek:F0} ms (window {ninety} of {index.Windows.Count}: {seekBytes / 1024} KiB), to the last window of that chunk {worstSeek:F0} ms; allocated per window {perWindow / 1048576.0:F1} MiB; heap growth per concurrent viewer (8 at once) {perViewer:F1} MiB"));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Peak managed heap (live objects and garbage not yet collected) above the idle baseline while <paramref name="viewers"/> viewers each fetch windows at once, per viewer.</summary>
    private static async Task<double> ConcurrentRssAsync(RecordingWindows windows, int window, int viewers)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(2);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, viewers).Select(v => Task.Run(async () =>
        {
            for (int i = 0; i < 4; i++) await ServeAsync(windows, Math.Max(0, window - v - i));
        })));
        await done.CancelAsync();
        await sampler;
        return (peak - baseline) / 1048576.0 / viewers;
    }

    private static async Task<long> ServeAsync(RecordingWindows windows, int window)
    {
        using var output = new MemoryStream();
        await windows.WriteSegmentAsync(output, window, CancellationToken.None);
        return output.Length;
    }

    /// <summary>C headers as a pty shows them, with a coloured prompt line now and then, fed through the recorder in 4 KiB reads.</summary>
    private static async Task<RecordingManifest> GenerateAsync(string root, IObjectStore store, IManifestSigner signer, long size)
    {
        await using var uploader = new SpoolUploader(store);
        var start = DateTimeOffset.UtcNow;
        var descriptor = new RecordingDescriptor
        {
            Id = "fastopen" + Guid.NewGuid().ToString("N")[..8], Prefix = ObjectLayout.RecordingPrefix("fastopen", start), Start = start,
            Compression = ChunkCompression.Brotli,
        };
        var writer = ChunkedRecordingWriter.Create(Path.Combine(root, "spool"), descriptor, uploader, signer);
        var recorder = SessionRecorder.CreateChunked(writer, new AsciicastHeader(120, 40) { Timestamp = start.ToUnixTimeSeconds() });
        byte[] payload = Payload(32L << 20);
        for (long offset = 0; offset < size; offset += ReadSize)
        {
            int at = (int)(offset % (payload.Length - ReadSize));
            recorder.Output(payload.AsSpan(at, ReadSize));
        }
        var manifest = await writer.CompleteAsync("closed");
        await writer.Uploaded;
        return manifest;
    }

    private static byte[] Payload(long max)
    {
        var text = new StringBuilder();
        int n = 0;
        foreach (string file in Directory.EnumerateFiles("/usr/include", "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (text.Length > max) break;
            text.Append(CultureInfo.InvariantCulture, $"\u001b[1;32muser@web01\u001b[0m:\u001b[34m~\u001b[0m$ cat {file} # {n++}\n").Append(File.ReadAllText(file));
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString().Replace("\n", "\r\n"));
        return bytes[..(int)Math.Min(max, bytes.Length)];
    }
}
