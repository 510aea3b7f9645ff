using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>
/// The audit log leaves a real <c>fumidai serve</c> for rsyslogd (every field, in order, nothing lost while the receiver
/// is down), for stdout as JSON lines, and as signed alerts for a webhook; logins go on whatever the receiver does.
/// </summary>
public sealed class AuditExportEndToEndTests(AuditExportBastion fixture) : IClassFixture<AuditExportBastion>, IAsyncLifetime
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(90);
    private readonly BastionHarness _h = fixture.Harness;

    public async Task InitializeAsync()
    {
        await _h.EnsureBastionRunningAsync();
        await fixture.Rsyslog.StopAsync();
        await fixture.Rsyslog.StartAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Each sequence number once (duplicates are allowed by at-least-once delivery), in the order first received.</summary>
    private static List<SyslogLine> Distinct(IEnumerable<string> lines)
    {
        var seen = new HashSet<long>();
        return lines.Select(SyslogLine.Parse).Where(l => seen.Add(l.Seq)).ToList();
    }

    private async Task<List<SyslogLine>> WaitForAllAsync(long last)
    {
        var lines = await fixture.Rsyslog.WaitForLinesAsync(l => Distinct(l).Select(s => s.Seq).DefaultIfEmpty().Max() >= last, Delivery);
        return Distinct(lines);
    }

    private static void AssertSame(AuditEntry expected, SyslogLine line)
    {
        Assert.Equal(expected.Type, line.Audit["type"]);
        Assert.Equal(expected.Type, line.MsgId);
        Assert.Equal(expected.Outcome, line.Audit["outcome"]);
        Assert.Equal(expected.User, line.Audit.GetValueOrDefault("user"));
        Assert.Equal(expected.Source, line.Audit.GetValueOrDefault("source"));
        Assert.Equal(expected.Target, line.Audit.GetValueOrDefault("target"));
        Assert.Equal(expected.Details.OrderBy(d => d.Key), line.Details.OrderBy(d => d.Key));
        Assert.Equal(expected.Outcome == "failure" ? 10 * 8 + 4 : 10 * 8 + 6, line.Priority);
        Assert.Matches("^[0-9a-f]{64}$", line.Audit["hash"]);
    }

    [Fact]
    public async Task Every_audit_event_reaches_rsyslog_with_its_fields_sequence_and_chain_and_stdout_as_json_lines()
    {
        var op = await _h.AddOperatorAsync("sysloguser");
        var run = await _h.SshExecAsync(op, "sysloguser:web01", "echo SYSLOG_OK", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.Contains("SYSLOG_OK", run.Output);
        await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "sysloguser", "session.end of sysloguser");

        var audit = await _h.AuditAsync();
        var received = await WaitForAllAsync(audit[^1].Seq);
        var bySeq = received.ToDictionary(l => l.Seq);
        foreach (var expected in audit)
        {
            Assert.True(bySeq.ContainsKey(expected.Seq), $"event {expected.Seq} ({expected}) did not reach rsyslog");
            AssertSame(expected, bySeq[expected.Seq]);
        }
        // The chain as the SIEM sees it: each event's previous hash is the hash of the one before.
        for (long seq = 2; seq <= audit[^1].Seq; seq++)
            Assert.Equal(bySeq[seq - 1].Audit["hash"], bySeq[seq].Audit["prev_hash"]);
        Assert.Contains(received, l => l.Audit["type"] == "login" && l.Audit.GetValueOrDefault("user") == "sysloguser" && l.Audit["source"] == "127.0.0.1");

        // The same events on stdout, one JSON object per line and nothing else (the log goes to stderr), with the same fields.
        // Each export runs on its own: stdout may be a pass behind syslog, so it is given (bounded) time to catch up.
        Dictionary<long, JsonElement> StdoutLines() => _h.Bastion.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("seq").GetInt64());
        var caughtUp = Stopwatch.StartNew();
        while (!StdoutLines().ContainsKey(audit[^1].Seq) && caughtUp.Elapsed < Delivery) await Task.Delay(200);
        var stdout = StdoutLines();
        Assert.Contains("listening on", _h.Bastion.Log);
        foreach (var expected in audit)
        {
            Assert.True(stdout.TryGetValue(expected.Seq, out var line), $"event {expected.Seq} not on stdout");
            Assert.Equal(expected.Type, line.GetProperty("type").GetString());
            Assert.Equal(expected.User, line.GetProperty("user").GetString());
            Assert.Equal(expected.Details.OrderBy(d => d.Key), line.GetProperty("details").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).OrderBy(d => d.Key));
            Assert.Equal(bySeq[expected.Seq].Audit["hash"], line.GetProperty("hash").GetString());
        }
    }

    [Fact]
    public async Task While_rsyslog_is_down_for_30_seconds_logins_and_sessions_go_on_and_every_event_arrives_in_order_when_it_returns()
    {
        var ops = new List<Operator>();
        for (int i = 0; i < 3; i++) ops.Add(await _h.AddOperatorAsync($"outage{i}"));
        // Delivered over a live connection first: the receiver then goes away under an open connection, the hard case
        // (a write into a connection the receiver has already closed still succeeds locally).
        await WaitForAllAsync((await _h.AuditAsync())[^1].Seq);
        await fixture.Rsyslog.StopAsync();
        var down = Stopwatch.StartNew();
        foreach (var op in ops)
        {
            var login = Stopwatch.StartNew();
            var run = await _h.SshExecAsync(op, $"{op.Name}:web01", "echo DURING_OUTAGE", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
            Assert.True(run.ExitCode == 0 && run.Output.Contains("DURING_OUTAGE"), run.StandardError);
            Assert.True(login.Elapsed < TimeSpan.FromSeconds(20), $"a login took {login.Elapsed} while the receiver was down");
        }
        var lastDuring = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "outage2", "session.end of outage2");
        Assert.DoesNotContain(fixture.Rsyslog.Lines().Select(SyslogLine.Parse), l => l.Seq == lastDuring.Seq);
        if (down.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(TimeSpan.FromSeconds(30) - down.Elapsed);

        await fixture.Rsyslog.StartAsync();
        var audit = await _h.AuditAsync();
        var received = await WaitForAllAsync(audit[^1].Seq);
        Assert.Equal(Enumerable.Range(1, (int)audit[^1].Seq).Select(i => (long)i), received.Select(l => l.Seq).Where(s => s <= audit[^1].Seq));
        foreach (var expected in audit.Where(e => e.User is { } u && u.StartsWith("outage", StringComparison.Ordinal)))
            AssertSame(expected, received.Single(l => l.Seq == expected.Seq));
        Assert.Contains("audit export syslog failed", _h.Bastion.Log);
    }

    [Fact]
    public async Task A_lockout_and_a_tampered_recording_found_by_verify_are_alerted_with_a_valid_signature()
    {
        var victim = await _h.AddOperatorAsync("alertlocked");
        string wrong = await Totp.WrongCodeAsync(victim.Secret, Totp.CurrentStep());
        for (int connection = 0; connection < 3; connection++)
            Assert.Equal(255, (await _h.SshExecAsync(victim, "alertlocked:web01", "true", wrong)).ExitCode);
        await AlertAsync(a => a.GetProperty("alert").GetString() == "account-locked"
            && a.GetProperty("event").GetProperty("user").GetString() == "alertlocked");

        var op = await _h.AddOperatorAsync("alerttamper");
        Assert.Equal(0, (await _h.SshExecAsync(op, "alerttamper:web01", "echo TAMPER_ME", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()))).ExitCode);
        var session = await _h.WaitForSessionAsync("alerttamper", s => s.GetProperty("status").GetString() == "closed", "closed");
        string id = session.GetProperty("id").GetString()!;
        string folder = await WaitForManifestAsync(id);
        string chunk = Directory.GetFiles(folder, "000000.cast.br").Single();
        var bytes = File.ReadAllBytes(chunk);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(chunk, bytes);
        Assert.NotEqual(0, (await _h.CliAsync("verify", id)).ExitCode);
        var tamper = await AlertAsync(a => a.GetProperty("alert").GetString() == "tamper");
        Assert.Equal("1", tamper.GetProperty("event").GetProperty("details").GetProperty("failed").GetString());
    }

    /// <summary>Waits (bounded) for an alert that matches, checking every alert's signature with a plain HMAC of our own.</summary>
    private async Task<JsonElement> AlertAsync(Func<JsonElement, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var (body, signature) in fixture.Webhook.Received)
            {
                string expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AuditExportBastion.Secret), body));
                Assert.Equal(expected, signature);
                string forged = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("another-secret"), body));
                Assert.NotEqual(forged, signature);
                var alert = JsonDocument.Parse(body).RootElement;
                Assert.StartsWith("fumidai-", alert.GetProperty("dedupKey").GetString());
                if (match(alert)) return alert;
            }
            if (clock.Elapsed > Delivery) throw new Xunit.Sdk.XunitException($"no matching alert among {fixture.Webhook.Received.Count}");
            await Task.Delay(250);
        }
    }

    private async Task<string> WaitForManifestAsync(string sessionId)
    {
        var clock = Stopwatch.StartNew();
        string root = Path.Combine(_h.DataPath, "recordings", "recordings");
        while (true)
        {
            var manifest = Directory.Exists(root)
                ? Directory.GetFiles(root, "manifest.json", SearchOption.AllDirectories).FirstOrDefault(f => f.Contains(sessionId, StringComparison.Ordinal))
                : null;
            if (manifest is not null) return Path.GetDirectoryName(manifest)!;
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"no manifest for {sessionId} under {root}");
            await Task.Delay(200);
        }
    }
}
