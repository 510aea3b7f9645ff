using System.Diagnostics.Metrics;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>What a running node reports when its gauges are read; each reading is tagged with the node's name.</summary>
public sealed class NodeGaugeSource
{
    public required string Node { get; init; }

    public required Func<int> ActiveSessions { get; init; }

    /// <summary>Chunks, manifests and audit periods queued for the object store.</summary>
    public required Func<int> PendingUploads { get; init; }

    public required SpoolStatistics Spool { get; init; }
}

/// <summary>The observable gauges over every registered node (normally one per process).</summary>
internal sealed class NodeGauges
{
    private readonly Lock _lock = new();
    private readonly List<NodeGaugeSource> _sources = [];

    public NodeGauges(Meter meter)
    {
        meter.CreateObservableGauge("fumidai.sessions.active", () => Read(s => (long)s.ActiveSessions()), "{session}",
            "Sessions running on this node");
        meter.CreateObservableGauge("fumidai.uploads.pending", () => Read(s => (long)s.PendingUploads()), "{upload}",
            "Recording chunks, manifests and audit periods waiting for the object store");
        meter.CreateObservableGauge("fumidai.spool.size", () => Read(s => s.Spool.Read().Bytes), "By",
            "Bytes in the local spool (recordings and audit periods not yet fully stored)");
        meter.CreateObservableGauge("fumidai.spool.oldest_chunk_age", () => Read(s => s.Spool.Read().OldestChunkAge.TotalSeconds), "s",
            "Age of the oldest sealed chunk not yet shipped to the object store (0 when none waits)");
    }

    public IDisposable Add(NodeGaugeSource source)
    {
        lock (_lock) _sources.Add(source);
        return new Removal(this, source);
    }

    private IEnumerable<Measurement<T>> Read<T>(Func<NodeGaugeSource, T> read) where T : struct
    {
        NodeGaugeSource[] sources;
        lock (_lock) sources = [.. _sources];
        return sources.Select(s => new Measurement<T>(read(s), new KeyValuePair<string, object?>("node", s.Node)));
    }

    private sealed class Removal(NodeGauges gauges, NodeGaugeSource source) : IDisposable
    {
        public void Dispose()
        {
            lock (gauges._lock) gauges._sources.Remove(source);
        }
    }
}
