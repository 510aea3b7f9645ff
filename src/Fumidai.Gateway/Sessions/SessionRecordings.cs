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
        var temporary = TemporaryFile(session);
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

    /// <summary>Why a single-file recording cannot be verified.</summary>
    public const string LegacyProblem = "single-file recording from before signed recordings; it cannot be verified";

    /// <summary>
    /// Opens a recording for an auditor and verifies what it reads (signed manifest, chunk hashes, chain) with
    /// <see cref="RecordingVerifier"/>: the stream holds the verified bytes themselves.
    /// </summary>
    /// <remarks>
    /// A running session has no signed manifest yet; its chunks are read as stored, marked <see cref="RecordingTrust.InProgress"/>,
    /// so an auditor can follow a live session. A finished one without a manifest fails like any other damage.
    /// </remarks>
    /// <param name="readUnverified">Read a recording that does not verify anyway (as stored); otherwise its content is null.</param>
    /// <exception cref="FileNotFoundException">The session has no recording, or its file is gone.</exception>
    /// <exception cref="InvalidDataException">The stored path is outside the recordings folder, or (read unverified) no chunk is stored.</exception>
    public static async Task<CheckedRecording> OpenCheckedAsync(SessionRecord session, IObjectStore store, string? legacyRoot, IManifestVerifier key,
        bool readUnverified, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(session.Recording)) throw new FileNotFoundException($"session {session.Id} has no recording");
        if (IsLegacy(session))
        {
            string path = LegacyPath(session, legacyRoot ?? throw new FileNotFoundException($"session {session.Id}: no recordings folder"));
            return new CheckedRecording(RecordingTrust.Unverified, LegacyProblem, readUnverified ? File.OpenRead(path) : null);
        }
        if (!IsRecordingFolder(session.Recording))
            throw new InvalidDataException($"session {session.Id}: '{session.Recording}' is not a recording folder ({ObjectLayout.RecordingsRoot}…/ID/)");
        var temporary = TemporaryFile(session);
        try
        {
            var result = await new RecordingVerifier(store, key).VerifyAsync(session.Recording, temporary, cancellationToken).ConfigureAwait(false);
            var trust = TrustOf(result, session);
            if (trust == RecordingTrust.InProgress && result.Unsealed is { Chunks: 0 })
            {
                // Just started: its first chunk is not stored yet, so there is nothing to read, and nothing is wrong.
                await temporary.DisposeAsync().ConfigureAwait(false);
                return new CheckedRecording(trust, NothingStoredYet, null);
            }
            if (trust == RecordingTrust.Unverified && !readUnverified)
            {
                await temporary.DisposeAsync().ConfigureAwait(false);
                return new CheckedRecording(trust, result.Problem, null);
            }
            // A running recording whose chunks so far are all readable is already in the file, written as they were checked.
            if (trust != RecordingTrust.Verified && !(trust == RecordingTrust.InProgress && result.Unsealed is { Problem: null }))
            {
                temporary.SetLength(0);
                await RecordingReader.CopyToAsync(store, session.Recording, temporary, cancellationToken).ConfigureAwait(false);
            }
            temporary.Position = 0;
            return new CheckedRecording(trust, result.Problem, temporary);
        }
        catch
        {
            await temporary.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Verifies a session's recording without keeping its content (e.g. for search results); null when it has none.</summary>
    public static async Task<CheckedRecording?> CheckAsync(SessionRecord session, IObjectStore store, IManifestVerifier key,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(session.Recording)) return null;
        if (IsLegacy(session)) return new CheckedRecording(RecordingTrust.Unverified, LegacyProblem, null);
        if (!IsRecordingFolder(session.Recording)) return new CheckedRecording(RecordingTrust.Unverified, $"'{session.Recording}' is not a recording folder", null);
        var result = await new RecordingVerifier(store, key).VerifyAsync(session.Recording, cancellationToken).ConfigureAwait(false);
        return new CheckedRecording(TrustOf(result, session), result.Problem, null);
    }

    /// <summary>The problem of a running session's recording before its first chunk is stored.</summary>
    public const string NothingStoredYet = "the session is running and nothing of its recording is stored yet (a chunk is stored every few seconds)";

    private static RecordingTrust TrustOf(VerificationResult result, SessionRecord session) =>
        result.Ok ? RecordingTrust.Verified
        : result.Problem == RecordingVerifier.ManifestMissing && session.Status == SessionStatus.Running ? RecordingTrust.InProgress
        : RecordingTrust.Unverified;

    private static FileStream TemporaryFile(SessionRecord session) =>
        new(Path.Combine(Path.GetTempPath(), $"fumidai-{session.Id}-{Guid.NewGuid():N}.cast"), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });

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
