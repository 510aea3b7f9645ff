using Fumidai.Gateway.Lifecycle;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Audit.Alerts;
using Fumidai.Gateway.Audit.Export;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>Webhook alerts against a local HTTP receiver: a storm is rate-limited into a summary, failures are retried, every body signed.</summary>
public sealed class WebhookAlertTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("storm-secret");
    private readonly TempDirectory _dir = new("fumidai-webhook");
    private readonly WebhookReceiver _receiver = new();
    private MetadataStore _store = null!;

    public async Task InitializeAsync() => _store = await MetadataStore.OpenAsync(_dir.Combine("fumidai.db"));

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _receiver.Dispose();
        _dir.Dispose();
    }

    private static bool Signed(byte[] body, string? signature, byte[] secret) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature),
            Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body))));

    [Fact]
    public async Task A_storm_of_500_failures_yields_a_bounded_number_of_alerts_and_one_summary()
    {
        var audit = new AuditLog(_store);
        await audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, "calm");
        for (int i = 0; i < 500; i++)
            await audit.RecordAsync(AuditTypes.RecordingFailure, AuditOutcome.Failure, "ann", details: new Dictionary<string, string> { ["error"] = $"disk full {i}" });
        _receiver.FailNext(2);
        var sink = new WebhookAlertSink(new Uri(_receiver.Url), (byte[])Secret.Clone(), 5, TimeSpan.FromSeconds(2), new CapturingLogger())
        {
            FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        };
        await using (sink)
        {
            var forwarder = new AuditForwarder(_store, sink, new ClusterLease(_store, ClusterLease.AuditExport(sink.Name), "n1", ClusterLease.AuditExportDuration), new CapturingLogger(), 100);
            await forwarder.PassAsync(CancellationToken.None);
            Assert.Equal(5, _receiver.Received.Count);
            await Task.Delay(TimeSpan.FromSeconds(2.2));
            await forwarder.PassAsync(CancellationToken.None);
        }

        var alerts = _receiver.Received;
        Assert.Equal(6, alerts.Count);
        Assert.All(alerts, a => Assert.True(Signed(a.Body, a.Signature, Secret)));
        Assert.All(alerts, a => Assert.False(Signed(a.Body, a.Signature, Encoding.UTF8.GetBytes("wrong-secret"))));
        var bodies = alerts.Select(a => JsonDocument.Parse(a.Body).RootElement).ToList();
        Assert.All(bodies.Take(5), b => Assert.Equal("recording-failure", b.GetProperty("alert").GetString()));
        Assert.Equal(5, bodies.Take(5).Select(b => b.GetProperty("dedupKey").GetString()).Distinct().Count());
        var summary = bodies[5];
        Assert.Equal("summary", summary.GetProperty("alert").GetString());
        Assert.Equal(495, summary.GetProperty("suppressed").GetProperty("recording-failure").GetInt32());
        Assert.Equal((7L, 501L), (summary.GetProperty("firstSeq").GetInt64(), summary.GetProperty("lastSeq").GetInt64()));
    }

    [Fact]
    public void Only_the_events_that_need_a_human_are_alerts()
    {
        AuditEvent E(string type, params (string, string)[] details) =>
            new(DateTimeOffset.UtcNow, type, "ann", AuditOutcome.Failure, null, null, details.ToDictionary(d => d.Item1, d => d.Item2));
        Assert.Equal(AlertRules.AccountLocked, AlertRules.Classify(E(AuditTypes.Lockout)));
        Assert.Equal(AlertRules.Revocation, AlertRules.Classify(E(AuditTypes.AdminChange, ("action", "user.disable"))));
        Assert.Equal(AlertRules.AdminRoleChange, AlertRules.Classify(E(AuditTypes.AdminChange, ("action", "role.set"))));
        Assert.Equal(AlertRules.Tamper, AlertRules.Classify(E(AuditTypes.RecordingAccess, ("action", "verify"), ("failed", "2"))));
        Assert.Null(AlertRules.Classify(E(AuditTypes.RecordingAccess, ("action", "verify"), ("failed", "0"))));
        Assert.Equal(AlertRules.HostKeyMismatch, AlertRules.Classify(E(AuditTypes.TargetFailure, ("error", "cannot connect to web01: its host key changed (expected a, got b); refusing"))));
        Assert.Null(AlertRules.Classify(E(AuditTypes.TargetFailure, ("error", "cannot connect to web01 (h:22): target unreachable"))));
        Assert.Equal(AlertRules.StrictModeRefusal, AlertRules.Classify(E(AuditTypes.RequestDenied, ("reason", "recording store unavailable (strict mode)"))));
        Assert.Equal(AlertRules.NodeLost, AlertRules.Classify(E(AuditTypes.SessionEnd, ("reason", "interrupted"), ("marked_by", "n2"))));
        Assert.Null(AlertRules.Classify(E(AuditTypes.SessionEnd, ("reason", "exit"))));
        Assert.Null(AlertRules.Classify(E(AuditTypes.LoginFailure)));
    }
}
