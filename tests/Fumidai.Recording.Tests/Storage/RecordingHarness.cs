using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>A spool folder, an uploader and an audit key around one store, for recording tests.</summary>
internal sealed class RecordingHarness : IAsyncDisposable
{
    public static readonly ChunkingOptions FastChunks = new() { MaxChunkBytes = 4 * 1024, MaxChunkAge = TimeSpan.FromMilliseconds(300), FlushInterval = TimeSpan.FromMilliseconds(100) };

    public static readonly UploaderOptions FastRetry = new() { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

    public RecordingHarness(IObjectStore store)
    {
        Store = store;
        SpoolRoot = Directory.CreateTempSubdirectory("fumidai-spool-").FullName;
        Uploader = new SpoolUploader(store, FastRetry);
    }

    public IObjectStore Store { get; }

    public string SpoolRoot { get; }

    public SpoolUploader Uploader { get; private set; }

    public Ed25519ManifestSigner Signer { get; } = Ed25519ManifestSigner.Create();

    public RecordingVerifier Verifier => new(Store, Signer.Verifier());

    public static RecordingDescriptor Descriptor(string? id = null)
    {
        id ??= "s" + Guid.NewGuid().ToString("N")[..12];
        var start = DateTimeOffset.UtcNow;
        return new RecordingDescriptor
        {
            Id = id,
            Prefix = ObjectLayout.RecordingPrefix(id, start),
            Start = start,
            Metadata = new Dictionary<string, string> { ["user"] = "alice", ["target"] = "web01", ["login"] = "ec2-user" },
        };
    }

    public SessionRecorder NewRecorder(RecordingDescriptor descriptor, ChunkingOptions? options = null) =>
        SessionRecorder.CreateChunked(ChunkedRecordingWriter.Create(SpoolRoot, descriptor, Uploader, Signer, options ?? FastChunks),
            new AsciicastHeader(80, 24) { Timestamp = descriptor.Start.ToUnixTimeSeconds() });

    /// <summary>Writes <paramref name="lines"/> numbered output lines ("line N\r\n") to the recorder.</summary>
    public static void WriteLines(SessionRecorder recorder, int from, int count)
    {
        for (int i = from; i < from + count; i++) recorder.Output(Encoding.UTF8.GetBytes($"line {i} {new string('x', 40)}\r\n"));
    }

    /// <summary>The reassembled output text of a recording.</summary>
    public async Task<(AsciicastHeader Header, string Output, List<AsciicastEvent> Events)> ReadBackAsync(string prefix)
    {
        byte[] cast = await RecordingReader.ReadAllAsync(Store, prefix);
        using var reader = new AsciicastReader(new MemoryStream(cast));
        var header = reader.Header;
        var events = reader.ReadEvents().ToList();
        Assert.Equal(0, reader.SkippedLines);
        return (header, string.Concat(events.Where(e => e.Type == AsciicastEventType.Output).Select(e => e.Data)), events);
    }

    public async Task ReplaceUploaderAsync(SpoolUploader uploader)
    {
        await Uploader.DisposeAsync();
        Uploader = uploader;
    }

    public async ValueTask DisposeAsync()
    {
        await Uploader.DisposeAsync();
        Signer.Dispose();
        Directory.Delete(SpoolRoot, recursive: true);
    }
}
