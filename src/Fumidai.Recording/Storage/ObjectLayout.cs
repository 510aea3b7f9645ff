using System.Globalization;

namespace Fumidai.Recording.Storage;

/// <summary>Object key layout: <c>recordings/YYYY/MM/DD/SESSIONID/…</c> and <c>audit/YYYY/MM/DD/…</c>, by UTC date.</summary>
/// <remarks>Dates first so lifecycle rules and humans can select a day; the session id keeps one recording's pieces together.</remarks>
public static class ObjectLayout
{
    public const string RecordingsRoot = "recordings/";
    public const string AuditRoot = "audit/";
    public const string ManifestName = "manifest.json";

    /// <summary>The key written by <see cref="IObjectStore.CheckWritableAsync"/> (overwritten at each start).</summary>
    public const string WriteProbeKey = "probe/fumidai-writable";

    /// <summary>The folder (ending in '/') of one recording.</summary>
    public static string RecordingPrefix(string sessionId, DateTimeOffset start) =>
        RecordingsRoot + DatePath(start) + sessionId + "/";

    /// <summary>The folder (ending in '/') of one audit-log period, named by its first event's time.</summary>
    public static string AuditPrefix(string periodId, DateTimeOffset start) => AuditRoot + DatePath(start) + periodId + "/";

    /// <summary>The key of chunk <paramref name="index"/>; zero-padded so keys sort in chunk order.</summary>
    public static string ChunkKey(string prefix, int index, string extension) =>
        prefix + index.ToString("D6", CultureInfo.InvariantCulture) + extension;

    public static string ManifestKey(string prefix) => prefix + ManifestName;

    private static string DatePath(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture);

    /// <summary>Rejects keys that could escape a directory store or confuse S3 tools.</summary>
    public static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key[0] == '/' || key.Contains('\\') || key.Contains('\0')
            || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"invalid object key '{key}'", nameof(key));
    }
}
