namespace Fumidai.Recording.Storage;

/// <summary>One listed object: its key, size and last modification time.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
