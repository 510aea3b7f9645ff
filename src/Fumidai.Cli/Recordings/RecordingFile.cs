using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Recordings;

/// <summary>Opens a session's recording for the CLI: chunks from the configured store, or an older single <c>.cast</c> file.</summary>
public static class RecordingFile
{
    /// <summary>A seekable asciicast stream; not-found when the session has none or it is gone, failure when it is damaged or unreadable.</summary>
    public static async Task<Stream> OpenAsync(CliContext context, SessionRecord session)
    {
        try
        {
            return await SessionRecordings.OpenAsync(session, context.RecordingStore(), context.Data.RecordingsPath, context.CancellationToken)
                .ConfigureAwait(false);
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
    }
}
