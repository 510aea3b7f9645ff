using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

/// <summary>The hash-chained audit table: append one event, read them back in order.</summary>
public interface IAuditStore
{
    /// <summary>Appends the event after the last one, chaining its hash; returns it with its sequence number and hash.</summary>
    Task<AuditEvent> AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEvent>> ListAuditAfterAsync(long sequence, int limit, CancellationToken cancellationToken = default);
}
