namespace Fumidai.Recording.Chunks;

/// <summary>A recording found in the spool at start and finished by <see cref="RecoveryScanner"/>.</summary>
/// <param name="EndReason"><c>interrupted</c> unless the manifest had been written before the crash.</param>
/// <param name="Uploaded">Completes when its manifest is in the store.</param>
public sealed record RecoveredRecording(string Kind, string Id, string Prefix, string EndReason, int Chunks, Task Uploaded);
