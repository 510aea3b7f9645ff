using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Keyframes;

/// <summary>A test class recording into a file store under its own temporary folder, removed afterwards.</summary>
public abstract class FileStoreTest(string prefix) : IAsyncLifetime
{
    protected string Root { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    internal RecordingHarness Harness { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Harness = new RecordingHarness(new FileObjectStore(Path.Combine(Root, "store")));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
