using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>A node takes a peer for dead only after it has itself reached the store for the whole dead-after time.</summary>
public sealed class NodeMonitorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("fumidai-nodes");
    private MetadataStore _store = null!;

    public async Task InitializeAsync() => _store = await MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_node_just_up_does_not_take_a_silent_peer_for_dead_until_it_has_watched_for_the_dead_after_time()
    {
        // The peer's last heartbeat is long past, as after a database outage both nodes sat through.
        await _store.HeartbeatAsync("peer", T0, starting: true);
        await _store.AddSessionAsync(new SessionRecord("s1", "ann", "web01", "root", "shell", null, "192.0.2.1", T0, null, SessionStatus.Running,
            null, 0, 0, null) { Node = "peer" });
        var time = new FakeTimeProvider(T0 + TimeSpan.FromMinutes(5));
        var monitor = new NodeMonitor(_store, new AuditLog(_store), "self", TimeSpan.FromSeconds(3), DeadAfter, NullLogger.Instance, time);

        await monitor.StartAsync(CancellationToken.None);
        Assert.Equal(0, await monitor.SweepAsync(CancellationToken.None));
        time.Advance(DeadAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await monitor.SweepAsync(CancellationToken.None));
        Assert.Equal(SessionStatus.Running, (await _store.GetSessionAsync("s1"))!.Status);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await monitor.SweepAsync(CancellationToken.None));
        Assert.Equal(SessionStatus.Interrupted, (await _store.GetSessionAsync("s1"))!.Status);
    }
}
