using Fumidai.Gateway.Lifecycle;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Audit.Export;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>The forwarder over a real SQLite store: one node exports at a time, the cursor moves with the lease, a stuck receiver shows as backlog.</summary>
public sealed class AuditForwarderTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("fumidai-forwarder");
    private MetadataStore _store = null!;
    private AuditLog _audit = null!;

    public async Task InitializeAsync()
    {
        _store = await MetadataStore.OpenAsync(_dir.Combine("fumidai.db"));
        _audit = new AuditLog(_store);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Keeps what it is given, or fails every batch while <see cref="Down"/>.</summary>
    private sealed class RecordingSink(string name) : IAuditSink
    {
        public List<long> Received { get; } = [];

        public bool Down { get; set; }

        public string Name => name;

        public Task SendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
        {
            if (Down) throw new IOException("receiver down");
            lock (Received) Received.AddRange(batch.Select(e => e.Sequence));
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private AuditForwarder Forwarder(RecordingSink sink, string node, long warning = 1000) =>
        new(_store, sink, new ClusterLease(_store, ClusterLease.AuditExport(sink.Name), node, ClusterLease.AuditExportDuration), new CapturingLogger(), warning) { Audit = _audit };

    private async Task RecordAsync(int count)
    {
        for (int i = 0; i < count; i++) await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, $"u{i}");
    }

    [Fact]
    public async Task Two_nodes_export_each_event_once_and_the_second_takes_over_where_the_first_stopped()
    {
        var onA = new RecordingSink("syslog");
        var onB = new RecordingSink("syslog");
        var a = Forwarder(onA, "node-a");
        var b = Forwarder(onB, "node-b");
        await RecordAsync(5);
        await a.PassAsync(CancellationToken.None);
        await b.PassAsync(CancellationToken.None);
        await RecordAsync(3);
        await b.PassAsync(CancellationToken.None);
        await a.PassAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), onA.Received);
        Assert.Empty(onB.Received);

        await _store.ReleaseLeaseAsync(ClusterLease.AuditExport("syslog"), "node-a", DateTimeOffset.UtcNow);
        await RecordAsync(2);
        await b.PassAsync(CancellationToken.None);
        await a.PassAsync(CancellationToken.None);
        Assert.Equal([9L, 10L], onB.Received);
        Assert.Equal(8, onA.Received.Count);
    }

    [Fact]
    public async Task A_receiver_that_is_down_grows_the_backlog_gauge_audits_the_crossing_and_gets_everything_in_order_when_back()
    {
        var sink = new RecordingSink("stuck-" + Guid.NewGuid().ToString("N")[..8]) { Down = true };
        await RecordAsync(5);
        var forwarder = new AuditForwarder(_store, sink, new ClusterLease(_store, ClusterLease.AuditExport(sink.Name), "n1", ClusterLease.AuditExportDuration), new CapturingLogger(), 3)
        {
            Audit = _audit,
            Interval = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        using var cts = new CancellationTokenSource();
        var running = forwarder.RunAsync(cts.Token);
        var clock = Stopwatch.StartNew();
        while (!(await _store.ListAuditAsync(null)).Any(e => e.Type == AuditTypes.ExportBacklog) && clock.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(50);
        var crossing = Assert.Single(await _store.ListAuditAsync(null), e => e.Type == AuditTypes.ExportBacklog);
        Assert.Equal((sink.Name, "5", "3"), (crossing.Details["export"], crossing.Details["backlog"], crossing.Details["threshold"]));

        long measured = -1;
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Fumidai" && instrument.Name == "fumidai.audit.export.backlog") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "export" && (string?)tag.Value == sink.Name) measured = value;
            });
            listener.Start();
            listener.RecordObservableInstruments();
        }
        Assert.True(measured >= 5, $"backlog gauge {measured}");

        sink.Down = false;
        clock.Restart();
        while (sink.Received.Count < 6 && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
        await cts.CancelAsync();
        await running;
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), sink.Received);
        Assert.Equal(0, forwarder.Backlog);
    }
}
