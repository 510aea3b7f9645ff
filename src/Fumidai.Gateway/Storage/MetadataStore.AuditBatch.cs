using System.Globalization;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>
    /// Appends <paramref name="events"/> in order in one transaction under the chain's write lock: one read of the last link,
    /// one round trip of inserts, one commit. Returns them stored (sequence, hash, previous hash), in the same order.
    /// </summary>
    /// <remarks>No caller's token: the batch belongs to every caller in it, and one leaving must not roll back the others.</remarks>
    internal async Task<IReadOnlyList<AuditEvent>> AppendAuditBatchAsync(IReadOnlyList<AuditEvent> events)
    {
        var cancellationToken = CancellationToken.None;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await _dialect.BeginAuditAppendAsync(connection, cancellationToken).ConfigureAwait(false);
        string previous;
        await using (var last = connection.CreateCommand())
        {
            last.Transaction = transaction;
            string chainLock = _dialect.AuditChainLockStatement;
            last.CommandText = chainLock + "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";
            await using var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (chainLock.Length > 0) await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            previous = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetString(0) : GenesisHash;
        }
        var stored = new AuditEvent[events.Count];
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            var text = new StringBuilder();
            string link = previous;
            for (int i = 0; i < events.Count; i++)
            {
                var e = events[i];
                string hash = AuditHash(link, e);
                string n = i.ToString(CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $"""
                    INSERT INTO audit (time, type, user_name, outcome, source, target, details, prev_hash, hash)
                    VALUES (@time{n}, @type{n}, @user{n}, @outcome{n}, @source{n}, @target{n}, @details{n}, @prev{n}, @hash{n}) RETURNING seq;

                    """);
                Add(insert, "@time" + n, Time(e.Time));
                Add(insert, "@type" + n, e.Type);
                Add(insert, "@user" + n, e.User);
                Add(insert, "@outcome" + n, e.Outcome);
                Add(insert, "@source" + n, e.Source);
                Add(insert, "@target" + n, e.Target);
                Add(insert, "@details" + n, JsonSerializer.Serialize(e.Details));
                Add(insert, "@prev" + n, link);
                Add(insert, "@hash" + n, hash);
                stored[i] = e with { Hash = hash, PreviousHash = link };
                link = hash;
            }
            insert.CommandText = text.ToString();
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < events.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    throw new InvalidOperationException("the audit insert returned fewer sequence numbers than events");
                stored[i] = stored[i] with { Sequence = reader.GetInt64(0) };
            }
        }
        // Disposing an uncommitted transaction rolls it back, so a failure leaves the chain as it was.
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }
}
