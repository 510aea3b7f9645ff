using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>
/// The real recording pipeline over a folder store, with strict mode's outage under the test's control and a way to
/// make the disk fail under a running recorder.
/// </summary>
public sealed class TestRecordings : ISessionRecordings, IAsyncDisposable
{
    private readonly RecordingStorage _storage;
    private readonly TaskCompletionSource _outage = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SessionRecorder> _recorders = [];

    public TestRecordings(string root, IAuditLog audit)
    {
        Root = root;
        // Small chunks, so a failing spool shows on the next few kilobytes.
        _storage = new RecordingStorage(new FileObjectStore(Path.Combine(root, "store")), new SshManifestSigner(SshPrivateKey.Generate(SshKeyTypes.Ed25519)),
            Path.Combine(root, "spool"), strict: false, audit, NullLogger.Instance, new ChunkingOptions { MaxChunkBytes = 1024 });
    }

    public string Root { get; }

    public IObjectStore Store => _storage.Store;

    public bool Strict { get; set; }

    public bool RefusesSessions => Strict && _outage.Task.IsCompleted;

    public Task WhenOutageAsync() => _outage.Task;

    /// <summary>The store stops taking recordings (what strict mode watches for).</summary>
    public void StartOutage() => _outage.TrySetResult();

    /// <summary>Recorders handed out so far.</summary>
    public IReadOnlyList<SessionRecorder> Recorders
    {
        get
        {
            lock (_recorders) return _recorders.ToArray();
        }
    }

    public SessionRecorder NewRecorder(RecordingDescriptor descriptor, AsciicastHeader header)
    {
        var recorder = _storage.NewRecorder(descriptor, header);
        lock (_recorders) _recorders.Add(recorder);
        return recorder;
    }

    /// <summary>Removes the spool folders under running recorders: their next chunk cannot be written.</summary>
    public void BreakSpool()
    {
        foreach (var recorder in Recorders) Directory.Delete(recorder.Path, recursive: true);
    }

    public ValueTask DisposeAsync() => _storage.DisposeAsync();
}
