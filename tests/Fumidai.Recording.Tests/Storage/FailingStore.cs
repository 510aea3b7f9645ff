using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>A store that refuses every call, as an unreachable endpoint does.</summary>
internal sealed class FailingStore : IObjectStore
{
    public string Description => "failing store";

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string>? metadata = null, ObjectRetention? retention = null,
        CancellationToken cancellationToken = default) => throw new ObjectStoreException("endpoint unreachable");

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => throw new ObjectStoreException("endpoint unreachable");

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => throw new ObjectStoreException("endpoint unreachable");

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new ObjectStoreException("endpoint unreachable");

    public Task CheckWritableAsync(CancellationToken cancellationToken = default) => throw new ObjectStoreException("endpoint unreachable");
}
