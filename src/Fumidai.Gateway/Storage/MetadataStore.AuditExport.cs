using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

/// <summary>The audit log filtered as the console's audit page filters it, read oldest first in batches for an export.</summary>
public sealed partial class MetadataStore
{
    /// <summary>Events matching the filter with a sequence number above <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>, with their hashes.</summary>
    /// <remarks>Keyed on the sequence number, not an offset, so events appended during an export neither shift nor repeat rows.</remarks>
    public Task<IReadOnlyList<AuditEvent>> ListAuditFilteredAfterAsync(string? type, string? user, DateTimeOffset? from, DateTimeOffset? to,
        long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        var (where, parameters) = AuditFilter(type, user, from, to);
        where.Add("seq > @after");
        parameters.Add(("@after", afterSequence));
        parameters.Add(("@limit", limit));
        return QueryAuditAsync(" WHERE " + string.Join(" AND ", where) + " ORDER BY seq LIMIT @limit", parameters, cancellationToken, ordered: true);
    }

    /// <summary>The conditions and parameters of an audit filter; every value is a parameter.</summary>
    private static (List<string> Where, List<(string, object?)> Parameters) AuditFilter(string? type, string? user, DateTimeOffset? from, DateTimeOffset? to)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (type is not null)
        {
            where.Add("type = @type");
            parameters.Add(("@type", type));
        }
        if (user is not null)
        {
            where.Add("user_name = @user");
            parameters.Add(("@user", user));
        }
        if (from is not null)
        {
            where.Add("time >= @from");
            parameters.Add(("@from", Time(from.Value)));
        }
        if (to is not null)
        {
            where.Add("time < @to");
            parameters.Add(("@to", Time(to.Value)));
        }
        return (where, parameters);
    }
}
