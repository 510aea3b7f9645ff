using System.Globalization;
using System.Text.Json;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Chunks;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Audit;

/// <summary>
/// Ships the audit table to the object store in sequence order, every event whoever wrote it (serve or the CLI), so
/// the shipped log keeps the database's hash chain unbroken.
/// </summary>
/// <remarks>
/// The last shipped sequence number is kept in the spool; after a crash a few events may be shipped twice (at least
/// once), never skipped. Each event carries its own chained hash, so duplicates are recognisable.
/// </remarks>
public sealed class AuditExporter
{
    private const int BatchSize = 1000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly MetadataStore _store;
    private readonly AuditLogShipper _shipper;
    private readonly string _stateFile;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private long _shipped;

    public AuditExporter(MetadataStore store, AuditLogShipper shipper, string stateFile, ILogger logger)
    {
        _store = store;
        _shipper = shipper;
        _stateFile = stateFile;
        _logger = logger;
        Directory.CreateDirectory(Path.GetDirectoryName(stateFile)!, OwnerOnlyFiles.DirectoryMode);
        _shipped = File.Exists(stateFile) && long.TryParse(File.ReadAllText(stateFile).Trim(), CultureInfo.InvariantCulture, out long last) ? last : 0;
    }

    /// <summary>
    /// Nodes sharing one database ship the log once between them: only the lease's holder ships, and the position goes
    /// with the lease, so a node taking over goes on where the last holder stopped. Null for a single node.
    /// </summary>
    public Lifecycle.ClusterLease? Lease { get; init; }

    /// <summary>Ships new events every second until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                try
                {
                    await ShipPendingAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or IOException)
                {
                    _logger.LogWarning("audit shipping paused: {Message}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One pass: everything written so far goes to the shipper (also called once more at shutdown).</summary>
    public async Task ShipPendingAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Lease is not null)
            {
                if (!await Lease.TryHoldAsync(cancellationToken).ConfigureAwait(false)) return;
                // The lease's position is the cluster's; this node's own file counts only for a node that shipped alone before.
                _shipped = Math.Max(_shipped, Lease.Position);
            }
            while (true)
            {
                var batch = await _store.ListAuditAfterAsync(_shipped, BatchSize, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0) return;
                foreach (var e in batch)
                {
                    _shipper.Append(JsonSerializer.SerializeToUtf8Bytes(new ShippedAuditEvent(e.Sequence, MetadataStore.Time(e.Time), e.Type, e.User,
                        e.Outcome, e.Source, e.Target, e.Details, e.PreviousHash, e.Hash), Json));
                }
                _shipped = batch[^1].Sequence;
                string temporary = _stateFile + ".tmp";
                // Made afresh, so a leftover temp file's mode cannot carry over.
                File.Delete(temporary);
                OwnerOnlyFiles.WriteNew(temporary, _shipped.ToString(CultureInfo.InvariantCulture));
                File.Move(temporary, _stateFile, overwrite: true);
                // Lost meanwhile (this node stalled past the lease): the new holder ships from the last recorded position.
                if (Lease is not null && !await Lease.AdvanceAsync(_shipped, cancellationToken).ConfigureAwait(false)) return;
            }
        }
        finally
        {
            _pass.Release();
        }
    }
}

/// <summary>One audit event as shipped to the object store: the database row with its place in the hash chain.</summary>
internal sealed record ShippedAuditEvent(long Seq, string Time, string Type, string? User, string Outcome, string? Source, string? Target,
    IReadOnlyDictionary<string, string> Details, string PrevHash, string Hash);
