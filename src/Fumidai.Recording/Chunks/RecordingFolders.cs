using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>Finds recording folders in a store: all under a root, or one by session id.</summary>
public static class RecordingFolders
{
    /// <summary>Every folder (ending in '/') that holds at least one object under <paramref name="root"/>, in key order.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(IObjectStore store, string root = ObjectLayout.RecordingsRoot,
        CancellationToken cancellationToken = default)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(root, cancellationToken).ConfigureAwait(false))
        {
            int slash = o.Key.LastIndexOf('/');
            if (slash > root.Length) folders.Add(o.Key[..(slash + 1)]);
        }
        return folders.ToList();
    }

    /// <summary>The folder of session <paramref name="id"/>: direct when its start is known, else by listing the root.</summary>
    public static async Task<string?> FindAsync(IObjectStore store, string id, DateTimeOffset? start = null, CancellationToken cancellationToken = default)
    {
        if (start is { } s)
        {
            string direct = ObjectLayout.RecordingPrefix(id, s);
            await foreach (var _ in store.ListAsync(direct, cancellationToken).ConfigureAwait(false)) return direct;
        }
        foreach (string folder in await ListAsync(store, ObjectLayout.RecordingsRoot, cancellationToken).ConfigureAwait(false))
            if (folder.EndsWith("/" + id + "/", StringComparison.Ordinal)) return folder;
        return null;
    }
}
