using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Sessions;

/// <summary>Opens a session's recording as one asciicast stream: chunks reassembled from the object store, or an older single <c>.cast</c> file.</summary>
public static class SessionRecordings
{
    /// <summary>Recordings made before chunked storage are one file, named by <see cref="SessionRecord.Recording"/> relative to the recordings folder.</summary>
    public const string LegacyExtension = ".cast";

    public static bool IsLegacy(SessionRecord session) => session.Recording?.EndsWith(LegacyExtension, StringComparison.Ordinal) == true;

    /// <summary>A readable, seekable stream positioned at the header; chunked recordings go through a temporary file deleted on close.</summary>
    /// <param name="legacyRoot">The recordings folder holding single-file recordings (null when none can exist, e.g. in the bastion).</param>
    /// <exception cref="FileNotFoundException">The session has no recording, or its file is gone.</exception>
    /// <exception cref="InvalidDataException">The stored path is outside the recordings folder, or no chunk is stored.</exception>
    public static async Task<Stream> OpenAsync(SessionRecord session, IObjectStore store, string? legacyRoot, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(session.Recording)) throw new FileNotFoundException($"session {session.Id} has no recording");
        if (IsLegacy(session)) return File.OpenRead(LegacyPath(session, legacyRoot ?? throw new FileNotFoundException($"session {session.Id}: no recordings folder")));
        if (!IsRecordingFolder(session.Recording))
            throw new InvalidDataException($"session {session.Id}: '{session.Recording}' is not a recording folder ({ObjectLayout.RecordingsRoot}…/ID/)");
        var temporary = new FileStream(Path.Combine(Path.GetTempPath(), $"fumidai-{session.Id}-{Guid.NewGuid():N}.cast"), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        try
        {
            await RecordingReader.CopyToAsync(store, session.Recording, temporary, cancellationToken).ConfigureAwait(false);
            temporary.Position = 0;
            return temporary;
        }
        catch
        {
            await temporary.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A stored prefix is trusted only when it names a folder under <see cref="ObjectLayout.RecordingsRoot"/>.</summary>
    private static bool IsRecordingFolder(string prefix)
    {
        if (!prefix.StartsWith(ObjectLayout.RecordingsRoot, StringComparison.Ordinal) || !prefix.EndsWith('/')) return false;
        try
        {
            ObjectLayout.ValidateKey(prefix + ObjectLayout.ManifestName);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The full path of a single-file recording; refuses a stored path that climbs out of <paramref name="root"/>.</summary>
    public static string LegacyPath(SessionRecord session, string root)
    {
        root = Path.GetFullPath(root);
        string path = Path.GetFullPath(Path.Combine(root, session.Recording!));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"session {session.Id}: recording path '{session.Recording}' is outside {root}");
        if (!File.Exists(path)) throw new FileNotFoundException($"session {session.Id}: recording {path} is missing");
        return path;
    }
}
