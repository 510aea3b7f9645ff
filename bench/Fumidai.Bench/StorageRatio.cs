using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;

namespace Fumidai.Bench;

/// <summary>Stored bytes per byte of terminal output, recorder throughput and upload lag of chunked recordings.</summary>
/// <remarks>
/// Not a BenchmarkDotNet class: the figure is a ratio over one large run. Run with
/// <c>dotnet run -c Release --project bench/Fumidai.Bench -- storage [MiB]</c>; FUMIDAI_TEST_S3_URL adds an s3rver run.
/// </remarks>
internal static class StorageRatio
{
    private const int ReadSize = 4096;

    public static async Task RunAsync(int mib)
    {
        long size = mib * 1024L * 1024;
        byte[] source = SourcePayload(Math.Min(size, 32L << 20));
        byte[] listing = ListingPayload(Math.Min(size, 32L << 20));
        Console.WriteLine($"payloads: zeros {size >> 20} MiB (head -c {mib}M /dev/zero); text: cat of C headers {source.Length >> 20} MiB, ls -l of /usr {listing.Length >> 20} MiB (CRLF)");
        Console.WriteLine("payload   compression  output MiB  stored MiB  stored/output  write MB/s  sealed MB/s  chunks  upload lag");
        foreach (var compression in new[] { ChunkCompression.Brotli, ChunkCompression.Gzip })
        {
            await MeasureAsync("zeros", compression, size, _ => new byte[ReadSize]);
            await MeasureAsync("source", compression, source.Length, Slicer(source));
            await MeasureAsync("listing", compression, listing.Length, Slicer(listing));
        }
        if (Environment.GetEnvironmentVariable("FUMIDAI_TEST_S3_URL") is { Length: > 0 } url)
        {
            Console.WriteLine($"s3rver at {url}:");
            await MeasureAsync("source", ChunkCompression.Brotli, source.Length, Slicer(source), url);
        }
    }

    private static async Task MeasureAsync(string name, ChunkCompression compression, long size, Func<long, byte[]> read, string? s3Url = null)
    {
        string root = Directory.CreateTempSubdirectory("fumidai-bench-").FullName;
        try
        {
            IObjectStore store = s3Url is null ? new FileObjectStore(Path.Combine(root, "store")) : await S3Async(s3Url);
            await using var uploader = new SpoolUploader(store);
            using var signer = Ed25519ManifestSigner.Create();
            var start = DateTimeOffset.UtcNow;
            var descriptor = new RecordingDescriptor
            {
                Id = "bench" + Guid.NewGuid().ToString("N")[..8], Prefix = ObjectLayout.RecordingPrefix("bench", start), Start = start, Compression = compression,
            };
            var writer = ChunkedRecordingWriter.Create(Path.Combine(root, "spool"), descriptor, uploader, signer);
            var recorder = SessionRecorder.CreateChunked(writer, new AsciicastHeader(80, 24) { Timestamp = start.ToUnixTimeSeconds() });
            // Pre-slice so the timing covers the recorder, not the payload generator.
            var blocks = new List<byte[]>();
            for (long offset = 0; offset < Math.Min(size, 64L << 20); offset += ReadSize) blocks.Add(read(offset));
            var watch = Stopwatch.StartNew();
            for (long offset = 0, i = 0; offset < size; offset += ReadSize, i++) recorder.Output(blocks[(int)(i % blocks.Count)]);
            double write = size / 1e6 / watch.Elapsed.TotalSeconds;
            var manifest = await writer.CompleteAsync("closed");
            double feed = size / 1e6 / watch.Elapsed.TotalSeconds;
            var lagWatch = Stopwatch.StartNew();
            await writer.Uploaded;
            var lag = lagWatch.Elapsed;
            long stored = 0;
            await foreach (var o in store.ListAsync(descriptor.Prefix)) stored += o.Size;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-9} {ChunkCodec.Label(compression),-12} {size / 1048576.0,10:F1}  {stored / 1048576.0,10:F2}  {stored / (double)size,13:F4}  {write,10:F0}  {feed,11:F0}  {manifest.Chunks.Count,6}  {lag.TotalMilliseconds,7:F0} ms"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<IObjectStore> S3Async(string url)
    {
        var credentials = new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER");
        string bucket = "bench" + Guid.NewGuid().ToString("N")[..8];
        using (var client = new Amazon.S3.AmazonS3Client(credentials, new Amazon.S3.AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
            await client.PutBucketAsync(bucket);
        return new S3ObjectStore(new S3ObjectStoreOptions { ServiceUrl = url, Bucket = bucket, ForcePathStyle = true }, credentials);
    }

    private static Func<long, byte[]> Slicer(byte[] payload) =>
        offset => payload.AsSpan((int)offset, (int)Math.Min(ReadSize, payload.Length - offset)).ToArray();

    /// <summary><c>cat</c> of C headers (source code, no repetition), LF turned into CRLF as a pty does.</summary>
    private static byte[] SourcePayload(long max)
    {
        var text = new StringBuilder();
        foreach (string file in Directory.EnumerateFiles("/usr/include", "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (text.Length > max) break;
            text.Append("$ cat ").Append(file).Append('\n').Append(File.ReadAllText(file));
        }
        return Terminal(text, max);
    }

    /// <summary>An <c>ls -l</c>-style listing of /usr (log-like: repetitive columns, varying names and sizes).</summary>
    private static byte[] ListingPayload(long max)
    {
        var text = new StringBuilder("$ ls -l --recursive /usr\n");
        foreach (string file in Directory.EnumerateFiles("/usr", "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            if (text.Length > max) break;
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"-rw-r--r-- 1 root root {info.Length,9} {info.LastWriteTimeUtc:MMM dd HH:mm} {file}\n");
        }
        return Terminal(text, max);
    }

    private static byte[] Terminal(StringBuilder text, long max)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString().Replace("\n", "\r\n"));
        return bytes[..(int)Math.Min(max, bytes.Length)];
    }
}
