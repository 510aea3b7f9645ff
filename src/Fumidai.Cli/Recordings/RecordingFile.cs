using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway;
using Fumidai.Gateway.Sessions;

namespace Fumidai.Cli.Recordings;

/// <summary>Finds a session's recording under the data directory's recordings folder.</summary>
public static class RecordingFile
{
    /// <summary>The full path of the session's <c>.cast</c> file; not-found when it has none or the file is gone.</summary>
    public static string Locate(DataDirectory data, SessionRecord session)
    {
        if (string.IsNullOrEmpty(session.Recording)) throw CliException.NotFound($"session {session.Id} has no recording");
        string root = Path.GetFullPath(data.RecordingsPath);
        string path = Path.GetFullPath(Path.Combine(root, session.Recording));
        // A stored path that climbs out of the recordings folder is damage, not a file to serve.
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw CliException.Failure($"session {session.Id}: recording path '{session.Recording}' is outside {root}");
        if (!File.Exists(path)) throw CliException.NotFound($"session {session.Id}: recording {path} is missing");
        return path;
    }
}
