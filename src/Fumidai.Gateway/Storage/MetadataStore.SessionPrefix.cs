using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>Sessions whose id starts with <paramref name="prefix"/> (compared as text, never as a pattern), oldest first.</summary>
    /// <remarks>At most <paramref name="limit"/>: a caller that asks for one more than it shows knows there are more.</remarks>
    public Task<IReadOnlyList<SessionRecord>> FindSessionsByPrefixAsync(string prefix, int limit, CancellationToken cancellationToken = default) =>
        // The lower bound lets the primary key's index find the first candidate; substr keeps LIKE's wildcards out.
        QuerySessionsAsync("WHERE id >= @prefix AND substr(id, 1, @length) = @prefix ORDER BY id LIMIT @limit",
            [("@prefix", prefix), ("@length", prefix.Length), ("@limit", limit)], cancellationToken, ordered: true);
}
