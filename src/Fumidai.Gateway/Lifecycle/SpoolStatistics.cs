namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// The spool's size and the age of its oldest sealed chunk, read from the disk at most once a second however often
/// the metrics are scraped (a spool full after a long outage holds many files).
/// </summary>
public sealed class SpoolStatistics
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);
    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private (long Bytes, TimeSpan OldestChunkAge) _last;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public SpoolStatistics(string root, TimeProvider? time = null)
    {
        _root = root;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Bytes of every file below the spool, and how long ago the oldest sealed chunk (compressed, of a recording or an audit period) was written.</summary>
    public (long Bytes, TimeSpan OldestChunkAge) Read()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now - _readAt < Freshness) return _last;
            _last = Scan(now);
            _readAt = now;
            return _last;
        }
    }

    private (long, TimeSpan) Scan(DateTimeOffset now)
    {
        long bytes = 0;
        DateTimeOffset? oldest = null;
        if (!Directory.Exists(_root)) return (0, TimeSpan.Zero);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        try
        {
            foreach (var file in new DirectoryInfo(_root).EnumerateFiles("*", options))
            {
                try
                {
                    bytes += file.Length;
                    // A sealed chunk is deleted once stored: any left is waiting for the store.
                    if (file.Name.EndsWith(".br", StringComparison.Ordinal) || file.Name.EndsWith(".gz", StringComparison.Ordinal))
                    {
                        var written = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
                        if (oldest is null || written < oldest) oldest = written;
                    }
                }
                catch (FileNotFoundException)
                {
                    // Uploaded and deleted while we looked.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
        var age = oldest is { } o && now > o ? now - o : TimeSpan.Zero;
        return (bytes, age);
    }
}
