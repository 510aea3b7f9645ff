using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>Fills the search index once a session ended; a failure here costs search, never the recording.</summary>
/// <remarks>The commands found as the recording was made (with its keyframes) are indexed as they are. Without them, shell
/// commands, and the stdin lines of an exec that runs a shell, are read back from the store once uploaded (bounded wait); a
/// write-only S3 policy leaves them to <c>fumidai sessions reindex</c>, run by someone who may read.</remarks>
internal sealed class SessionCommandIndexing(BastionContext context)
{
    private static readonly TimeSpan UploadWait = TimeSpan.FromSeconds(10);

    /// <summary>Indexes the commands found as the recording was made.</summary>
    public async Task IndexCollectedAsync(string sessionId, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> collected)
    {
        try
        {
            await context.Commands.IndexSessionCommandsAsync(sessionId, collected).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            context.Logger.LogWarning("session {Session}: command index not updated: {Message}", sessionId, ex.Message);
        }
    }

    /// <summary>Indexes the session's commands from its row and, where they need it, its recording read back from the store.</summary>
    public async Task IndexAsync(string sessionId, SessionRecorder recorder)
    {
        try
        {
            if (await context.SessionLog.GetSessionAsync(sessionId).ConfigureAwait(false) is not { } ended) return;
            // An exec's own command line is indexed at once, whether or not its recording can be read back below.
            if (ended.Kind != Policy.ChannelKinds.Shell)
                await SessionIndexer.IndexAsync(context.Commands, ended, (Stream?)null).ConfigureAwait(false);
            if (!SessionIndexer.NeedsRecording(ended) || ended.Recording is null) return;
            if (!await UploadedAsync(recorder.Chunks.Uploaded).ConfigureAwait(false))
            {
                context.Logger.LogInformation("session {Session}: recording not uploaded yet; command index left to `sessions reindex`", sessionId);
                return;
            }
            await using var recording = await SessionRecordings.OpenAsync(ended, context.Recordings.Store, null).ConfigureAwait(false);
            await SessionIndexer.IndexAsync(context.Commands, ended, recording).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectStoreException or System.Data.Common.DbException)
        {
            context.Logger.LogWarning("session {Session}: command index not updated: {Message}", sessionId, ex.Message);
        }
    }

    /// <summary>Whether the recording reached the store within <paramref name="wait"/> (the indexer's own wait when null).</summary>
    public static async Task<bool> UploadedAsync(Task uploaded, TimeSpan? wait = null)
    {
        try
        {
            await uploaded.WaitAsync(wait ?? UploadWait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
