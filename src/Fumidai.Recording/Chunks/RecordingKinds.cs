namespace Fumidai.Recording.Chunks;

/// <summary>The kinds of chunked streams: terminal recordings and audit-log periods.</summary>
public static class RecordingKinds
{
    public const string Recording = "recording";
    public const string Audit = "audit";
}
