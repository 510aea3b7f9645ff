using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>
/// Elects the one node that runs an export, through a row lease in the shared store: held while renewed, taken over by
/// another node once it runs out (the holder stopped or lost the database), given up at a clean stop.
/// </summary>
public sealed class ExportLease(MetadataStore store, string export, string node, TimeProvider time)
{
    /// <summary>How long a lease lasts without renewal: long against a slow pass, short against a dead node.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public string Node => node;

    /// <summary>Takes or renews the lease; the export's cursor when this node holds it, else null.</summary>
    public Task<long?> TryHoldAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.TryLeaseAuditExportAsync(export, node, now, now + Duration, cancellationToken);
    }

    /// <summary>Moves the cursor; false when the lease went to another node meanwhile.</summary>
    public Task<bool> AdvanceAsync(long sequence, CancellationToken cancellationToken) =>
        store.AdvanceAuditExportAsync(export, node, sequence, cancellationToken);

    public Task ReleaseAsync(CancellationToken cancellationToken) => store.ReleaseAuditExportAsync(export, node, cancellationToken);
}
