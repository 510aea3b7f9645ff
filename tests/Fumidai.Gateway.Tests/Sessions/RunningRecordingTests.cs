using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Tests.Sessions;

/// <summary>Opening the recording of a session that has just started, before its first chunk is stored.</summary>
public sealed class RunningRecordingTests
{
    [Fact]
    public async Task A_running_session_with_nothing_stored_yet_is_in_progress_not_a_recording_that_fails_verification()
    {
        using var dir = new TempDirectory();
        var store = new FileObjectStore(dir.Combine("objects"));
        using var signer = Ed25519ManifestSigner.Create();
        var start = DateTimeOffset.UtcNow;
        string prefix = ObjectLayout.RecordingPrefix("20261130T120000-0011223344", start);
        var running = new SessionRecord("20261130T120000-0011223344", "ann", "web01", "root", "shell", null, "192.0.2.1", start, null,
            SessionStatus.Running, null, 0, 0, prefix);

        var opened = await SessionRecordings.OpenCheckedAsync(running, store, null, signer.Verifier(), readUnverified: false);

        Assert.Equal(RecordingTrust.InProgress, opened.Trust);
        Assert.Null(opened.Content);
        Assert.Contains("nothing of its recording is stored yet", opened.Problem);

        // Once it has ended, the same empty folder is a recording that is missing.
        var ended = running with { Status = SessionStatus.Closed, End = start.AddMinutes(1) };
        var missing = await SessionRecordings.OpenCheckedAsync(ended, store, null, signer.Verifier(), readUnverified: false);
        Assert.Equal(RecordingTrust.Unverified, missing.Trust);
    }
}
