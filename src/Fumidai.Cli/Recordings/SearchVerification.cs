using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Recordings;

/// <summary>Checks the sessions behind search hits: their recordings now, and where their indexed commands came from.</summary>
/// <remarks>
/// The index may have been filled before a recording was altered, or (with <c>reindex --unverified</c>) from an altered
/// one; either way the hit is only as trustworthy as both, so both are checked on every search.
/// </remarks>
public static class SearchVerification
{
    /// <summary>A warning per session that does not verify (or is still running); refuses when one does not verify unless <paramref name="unverified"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> CheckAsync(CliContext context, MetadataStore store, IReadOnlyList<string> sessionIds,
        bool unverified)
    {
        var warnings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sessionIds.Count == 0) return warnings;
        var key = RecordingFile.AuditKey(context);
        var marks = await store.UnverifiedIndexEntriesAsync(sessionIds, context.CancellationToken).ConfigureAwait(false);
        foreach (string id in sessionIds)
        {
            if (await store.GetSessionAsync(id, context.CancellationToken).ConfigureAwait(false) is not { } session) continue;
            CheckedRecording? check;
            try
            {
                check = await SessionRecordings.CheckAsync(session, context.RecordingStore(), key, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ObjectStoreException ex)
            {
                throw CliException.Failure($"session {id}: cannot read recording {session.Recording}: {ex.Message}");
            }
            string? problem = check is { Trust: RecordingTrust.Unverified } ? check.Problem
                : marks.TryGetValue(id, out var mark) ? "its commands were indexed from a recording that did not verify: " + mark
                : null;
            if (problem is not null)
            {
                if (!unverified) throw RecordingFile.Refusal(id, problem);
                warnings[id] = new CheckedRecording(RecordingTrust.Unverified, problem, null).Warning(id)!;
            }
            else if (check?.Warning(id) is { } running)
            {
                warnings[id] = running;
            }
        }
        return warnings;
    }
}
