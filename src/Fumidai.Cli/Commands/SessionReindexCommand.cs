using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Recordings;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai sessions reindex [--unverified]</c>: rebuilds the command index from recordings that verify, and marks those that do not.</summary>
public static class SessionReindexCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("reindex", "Rebuild the command search index from every recording, verifying each; exit 1 if one does not verify")
        {
            unverified,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var sessions = await store.ListSessionsAsync(null, null, null, context.CancellationToken).ConfigureAwait(false);
            var key = RecordingFile.AuditKey(context);
            bool readUnverified = result.GetValue(unverified);
            int done = 0, failed = 0;
            foreach (var session in sessions)
            {
                try
                {
                    if (await ReindexAsync(context, store, session, key, readUnverified).ConfigureAwait(false)) done++;
                    else failed++;
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectStoreException)
                {
                    failed++;
                    context.Error.WriteLine($"fumidai: warning: session {session.Id}: {ex.Message}");
                }
                if ((done + failed) % 100 == 0) context.Error.WriteLine($"reindexed {done + failed}/{sessions.Count}");
            }
            context.Out.WriteLine($"reindexed {done} session(s)" + (failed > 0 ? $", {failed} failed" : ""));
            if (failed > 0) throw CliException.Failure($"{failed} session(s) could not be indexed");
        }, ct));
        return command;
    }

    /// <summary>
    /// Indexes one session from what verified. One that does not verify keeps its old index entries, now marked, and counts as
    /// failed; with <paramref name="readUnverified"/> it is indexed from the recording as stored, marked and warned about.
    /// </summary>
    private static async Task<bool> ReindexAsync(CliContext context, MetadataStore store, SessionRecord session, IManifestVerifier key, bool readUnverified)
    {
        var ct = context.CancellationToken;
        bool hasRecording = !string.IsNullOrEmpty(session.Recording);
        // Only sessions whose commands come from the recording keep its content; the others are verified without it.
        await using var read = !hasRecording ? null
            : SessionIndexer.NeedsRecording(session)
                ? await SessionRecordings.OpenCheckedAsync(session, context.RecordingStore(), context.Data.RecordingsPath, key, readUnverified, ct)
                    .ConfigureAwait(false)
                : await SessionRecordings.CheckAsync(session, context.RecordingStore(), key, ct).ConfigureAwait(false);
        if (read is { Trust: RecordingTrust.Unverified })
        {
            await store.MarkRecordingCheckAsync(session.Id, false, read.Problem, ct).ConfigureAwait(false);
            if (!readUnverified)
            {
                context.Error.WriteLine($"fumidai: {RecordingFile.Refusal(session.Id, read.Problem).Message}");
                return false;
            }
        }
        else if (read is { Trust: RecordingTrust.Verified })
        {
            await store.MarkRecordingCheckAsync(session.Id, true, null, ct).ConfigureAwait(false);
        }
        if (read?.Warning(session.Id) is { } warning) context.Out.WriteLine(warning);
        await SessionIndexer.IndexAsync(store, session, read?.Content, ct).ConfigureAwait(false);
        return true;
    }
}
