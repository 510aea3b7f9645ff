namespace Fumidai.Gateway.Sessions;

/// <summary>One relayed channel (shell, exec, sftp…): who, where, when, how it ended, and its recording.</summary>
public sealed record SessionRecord(
    string Id,
    string User,
    string Target,
    string Login,
    string Kind,
    string? Command,
    string Source,
    DateTimeOffset Start,
    DateTimeOffset? End,
    string Status,
    string? EndReason,
    long BytesIn,
    long BytesOut,
    string? Recording)
{
    /// <summary>The bastion node the session runs (or ran) on; null for sessions from before nodes were named.</summary>
    public string? Node { get; init; }
}

/// <summary>Session status values as stored and shown.</summary>
public static class SessionStatus
{
    public const string Running = "running";
    public const string Closed = "closed";
    public const string Interrupted = "interrupted";
    public const string Failed = "failed";
}
