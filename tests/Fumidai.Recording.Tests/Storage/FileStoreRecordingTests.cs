using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>The shared recording tests on the directory store.</summary>
public sealed class FileStoreRecordingTests : StoreRecordingTests, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-store-").FullName;

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new FileObjectStore(Path.Combine(_root, Guid.NewGuid().ToString("N"))));

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
