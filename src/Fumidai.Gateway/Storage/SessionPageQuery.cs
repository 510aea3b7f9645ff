using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

/// <summary>One page of the session list: filters (each optional), a sort column from <see cref="SortColumns"/>, and the page.</summary>
public sealed record SessionPageQuery
{
    /// <summary>The sort keys the list offers, each with its column; nothing else reaches the SQL.</summary>
    public static readonly IReadOnlyDictionary<string, string> SortColumns = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["start"] = "s.started",
        ["end"] = "s.ended",
        ["user"] = "s.user_name",
        ["target"] = "s.target",
        ["status"] = "s.status",
        ["bytes"] = "(s.bytes_in + s.bytes_out)",
    };

    public string? User { get; init; }

    public string? Target { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Status { get; init; }

    /// <summary>A substring of the session id, its exec command line or any command typed in it.</summary>
    public string? Text { get; init; }

    public string Sort { get; init; } = "start";

    public bool Descending { get; init; } = true;

    /// <summary>From 1.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

/// <summary>A session in a list, with what the last verification of its recording found (null: never checked).</summary>
public sealed record SessionListEntry(SessionRecord Session, bool? Verified, string? Problem);

/// <summary>One page of results and how many there are in all.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total);
