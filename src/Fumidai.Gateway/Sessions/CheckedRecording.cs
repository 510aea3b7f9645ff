namespace Fumidai.Gateway.Sessions;

/// <summary>How far what was read from a recording can be trusted.</summary>
public enum RecordingTrust
{
    /// <summary>Every chunk matched the chain of a manifest signed with the audit key.</summary>
    Verified,

    /// <summary>The session is still running: no manifest is signed yet, so nothing can vouch for the chunks.</summary>
    InProgress,

    /// <summary>The recording failed verification (or predates signing); see <see cref="CheckedRecording.Problem"/>.</summary>
    Unverified,
}

/// <summary>A session's recording opened for an auditor, with the outcome of verifying exactly what was read.</summary>
public sealed class CheckedRecording : IAsyncDisposable
{
    public CheckedRecording(RecordingTrust trust, string? problem, Stream? content)
    {
        Trust = trust;
        Problem = problem;
        Content = content;
    }

    public RecordingTrust Trust { get; }

    /// <summary>The first bad or missing piece, in the verifier's words (e.g. <c>chunk 3: SHA-256 mismatch</c>).</summary>
    public string? Problem { get; }

    /// <summary>The asciicast stream at its header; null when the recording did not verify and reading it anyway was not asked for.</summary>
    public Stream? Content { get; }

    /// <summary>The line an auditor must see before anything read from this recording, or null when it verified.</summary>
    public string? Warning(string sessionId) => Trust switch
    {
        RecordingTrust.InProgress => $"WARNING: session {sessionId} is still running: its recording is not signed yet and cannot be verified",
        RecordingTrust.Unverified => $"WARNING: recording {sessionId} does not verify ({Problem}); shown unverified, it may have been altered",
        _ => null,
    };

    public ValueTask DisposeAsync() => Content?.DisposeAsync() ?? ValueTask.CompletedTask;
}
