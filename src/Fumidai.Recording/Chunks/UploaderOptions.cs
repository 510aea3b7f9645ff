namespace Fumidai.Recording.Chunks;

/// <summary>Retry and parallelism of <see cref="SpoolUploader"/>.</summary>
public sealed record UploaderOptions
{
    /// <summary>Uploads in flight at once (chunk order within a recording does not matter: the manifest goes last).</summary>
    public int Concurrency { get; init; } = 4;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between attempts during an outage: the delay before the store's return is noticed.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);
}
