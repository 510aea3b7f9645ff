using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>The chain's starting value: the hash a first event links to.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Appends an event, linking its hash to the previous event's (SHA-256 over the previous hash and the event).</summary>
    /// <remarks>Appends waiting at the same moment share one transaction and one commit (<see cref="AuditAppendQueue"/>).</remarks>
    public Task<AuditEvent> AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) =>
        _auditAppends.AppendAsync(auditEvent, cancellationToken);

    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken = default) =>
        QueryAuditAsync(since is null ? "" : " WHERE time >= @since", since is null ? [] : [("@since", Time(since.Value))], cancellationToken);

    /// <summary>Events after a sequence number, oldest first, at most <paramref name="limit"/>: what the shipper has not sent yet.</summary>
    public Task<IReadOnlyList<AuditEvent>> ListAuditAfterAsync(long sequence, int limit, CancellationToken cancellationToken = default) =>
        QueryAuditAsync(" WHERE seq > @after ORDER BY seq LIMIT @limit", [("@after", sequence), ("@limit", limit)], cancellationToken, ordered: true);

    private async Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(string where, IEnumerable<(string, object?)> parameters,
        CancellationToken cancellationToken, bool ordered = false)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, type, user_name, outcome, source, target, details, prev_hash, hash FROM audit" + where
            + (ordered ? "" : " ORDER BY seq");
        foreach (var (name, value) in parameters) Add(command, name, value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new AuditEvent(ParseTime(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [])
            {
                Sequence = reader.GetInt64(0),
                PreviousHash = reader.GetString(8),
                Hash = reader.GetString(9),
            });
        }
        return events;
    }

    /// <summary>The chained hash of one event: SHA-256 over the previous hash and a canonical serialisation.</summary>
    public static string AuditHash(string previousHash, AuditEvent e)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            previousHash, Time(e.Time), e.Type, e.User, e.Outcome, e.Source, e.Target,
            e.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new[] { d.Key, d.Value }).ToArray(),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
