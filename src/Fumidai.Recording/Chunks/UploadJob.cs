namespace Fumidai.Recording.Chunks;

/// <summary>One spooled file to put under a key; <see cref="Uploaded"/> runs after the put succeeded and the file was removed.</summary>
internal sealed record UploadJob(string LocalPath, string Key, long Bytes, Action Uploaded);
