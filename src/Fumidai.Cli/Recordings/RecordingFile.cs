using System.CommandLine;
using Fumidai.Cli.Commands;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Recordings;

/// <summary>Opens a session's recording for the CLI, verified against the audit key: chunks from the configured store, or an older single <c>.cast</c> file.</summary>
public static class RecordingFile
{
    /// <summary>The option every command that reads a recording offers: read one that does not verify, behind a warning.</summary>
    public static Option<bool> UnverifiedOption() => new("--unverified")
    {
        Description = "Read a recording that fails verification (or predates signing) anyway; every output then starts with a warning",
    };

    /// <summary>
    /// A verified (or still running) recording; one that does not verify is refused as <c>verify</c> reports it, unless
    /// <paramref name="unverified"/>. Not-found when the session has none or it is gone, failure when it is unreadable.
    /// </summary>
    public static async Task<CheckedRecording> OpenAsync(CliContext context, SessionRecord session, bool unverified)
    {
        CheckedRecording opened;
        try
        {
            opened = await SessionRecordings.OpenCheckedAsync(session, context.RecordingStore(), context.Data.RecordingsPath, AuditKey(context),
                unverified, context.CancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw CliException.NotFound(ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw CliException.Failure($"session {session.Id}: recording {session.Recording}: {ex.Message}");
        }
        catch (ObjectStoreException ex)
        {
            throw CliException.Failure($"session {session.Id}: cannot read recording {session.Recording}: {ex.Message}");
        }
        if (opened is { Content: null, Trust: RecordingTrust.InProgress })
            throw CliException.NotFound($"session {session.Id}: {opened.Problem}; try again in a moment");
        if (opened.Content is null) throw Refusal(session.Id, opened.Problem);
        return opened;
    }

    /// <summary>The error for a recording that does not verify, naming the bad piece as <c>fumidai verify</c> does.</summary>
    public static CliException Refusal(string sessionId, string? problem) =>
        CliException.Failure($"recording {sessionId}: {problem}; it does not verify and is not shown (read it anyway with --unverified)");

    /// <summary>The audit public key that signs manifests, as <c>fumidai verify</c> loads it.</summary>
    public static IManifestVerifier AuditKey(CliContext context) => VerifyCommand.LoadKey(context, null);
}
