namespace Fumidai.Recording.Storage;

/// <summary>A flat key → bytes store (a directory tree or an S3 bucket) holding recordings and audit chunks.</summary>
/// <remarks>
/// Keys use '/' separators and never start with '/'. The bastion needs only <see cref="PutAsync"/> and
/// <see cref="CheckWritableAsync"/>: an S3 bucket policy may deny it everything else (docs/s3-iam.md).
/// </remarks>
public interface IObjectStore
{
    /// <summary>Human-readable location for logs and errors (never credentials).</summary>
    string Description { get; }

    /// <summary>Stores <paramref name="data"/> under <paramref name="key"/>, replacing any object there, atomically.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string>? metadata = null,
        ObjectRetention? retention = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole object; null when there is none under <paramref name="key"/>.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Lists objects whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Removes an object (tests and tamper drills only: the bastion's S3 policy does not allow it).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Proves the store accepts writes now, by writing a small probe object; throws <see cref="ObjectStoreException"/> naming the cause.</summary>
    Task CheckWritableAsync(CancellationToken cancellationToken = default);
}
