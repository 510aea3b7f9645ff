using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// Work one node of a cluster does for all (e.g. shipping the audit log once): the caller asks <see cref="TryHoldAsync"/>
/// before each pass and records its progress with <see cref="AdvanceAsync"/>, which fails once another node took over.
/// </summary>
public sealed class ClusterLease
{
    /// <summary>The audit log goes to the object store from one node at a time.</summary>
    public const string AuditShipping = "audit-shipping";

    /// <summary>Each audit export (syslog, stdout, webhook) runs on one node at a time, its cursor the lease's position.</summary>
    public static string AuditExport(string export) => "audit-export:" + export;

    /// <summary>How long an export's lease lasts without renewal: long against a slow pass, short against a dead node.</summary>
    public static readonly TimeSpan AuditExportDuration = TimeSpan.FromSeconds(30);

    private readonly MetadataStore _store;
    private readonly TimeProvider _time;

    public ClusterLease(MetadataStore store, string name, string holder, TimeSpan duration, TimeProvider? time = null)
    {
        _store = store;
        Name = name;
        Holder = holder;
        Duration = duration;
        _time = time ?? TimeProvider.System;
    }

    public string Name { get; }

    public string Holder { get; }

    /// <summary>How long the lease lasts without renewal: a dead holder's work waits this long before another node takes it.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The position stored with the lease when it was last taken or renewed.</summary>
    public long Position { get; private set; }

    /// <summary>Takes or renews the lease; false while another node holds it.</summary>
    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var (held, position) = await _store.TryTakeLeaseAsync(Name, Holder, now, now + Duration, cancellationToken).ConfigureAwait(false);
        if (held) Position = position;
        return held;
    }

    /// <summary>Records progress; false when the lease was lost (the caller stops: the new holder goes on from the last position).</summary>
    public async Task<bool> AdvanceAsync(long position, CancellationToken cancellationToken = default)
    {
        if (!await _store.SetLeasePositionAsync(Name, Holder, position, cancellationToken).ConfigureAwait(false)) return false;
        Position = position;
        return true;
    }

    /// <summary>Lets another node take over now rather than after <see cref="Duration"/>.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken = default) =>
        _store.ReleaseLeaseAsync(Name, Holder, _time.GetUtcNow(), cancellationToken);
}
