using Fumidai.Gateway.Lifecycle;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Audit.Export;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>Syslog over TLS to Debian's rsyslogd (gtls): a receiver whose certificate comes from the pinned CA gets the events; one from another CA is refused.</summary>
public sealed class SyslogTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("fumidai-syslog-tls");
    private MetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await MetadataStore.OpenAsync(_dir.Combine("fumidai.db"));
        var audit = new AuditLog(_store);
        await audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, "ann", "192.0.2.7", "web01",
            new Dictionary<string, string> { ["method"] = "publickey+totp", ["quote\"d]"] = "a \"b\" ] \\ c" });
        await audit.RecordAsync(AuditTypes.Lockout, AuditOutcome.Failure, "bob", "192.0.2.8", null, new Dictionary<string, string> { ["failures"] = "10" });
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A CA, written as PEM; its key signs server certificates.</summary>
    private static (X509Certificate2 Ca, string File) MakeCa(string directory, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string file = Path.Combine(directory, name + ".pem");
        File.WriteAllText(file, ca.ExportCertificatePem());
        return (ca, file);
    }

    /// <summary>A server certificate for 127.0.0.1 issued by <paramref name="ca"/>: the receiver's certificate and key files.</summary>
    private static RsyslogTls Issue(string directory, X509Certificate2 ca, string caFile, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        string certificate = Path.Combine(directory, name + "-cert.pem");
        string keyFile = Path.Combine(directory, name + "-key.pem");
        File.WriteAllText(certificate, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return new RsyslogTls(certificate, keyFile, caFile);
    }

    private AuditForwarder Forwarder(int port, string caFile, CapturingLogger logger) =>
        new(_store, new SyslogSink(new SyslogAddress(SyslogTransport.Tls, "127.0.0.1", port), caFile, "tls-node", logger),
            new ClusterLease(_store, ClusterLease.AuditExport("syslog"), "tls-node", ClusterLease.AuditExportDuration), logger, 1000);

    [Fact]
    public async Task A_receiver_certified_by_the_pinned_ca_gets_every_event_and_one_from_another_ca_is_refused()
    {
        var (pinned, pinnedFile) = MakeCa(_dir.Path, "pinned-ca");
        var (other, otherFile) = MakeCa(_dir.Path, "other-ca");
        using (pinned)
        using (other)
        {
            // The impostor: a valid certificate for the same address, from a CA we did not pin.
            int impostorPort = RsyslogProcess.FreePort();
            await using (var impostor = await RsyslogProcess.StartAsync(_dir.Combine("impostor"), impostorPort, Issue(_dir.Path, other, otherFile, "impostor")))
            {
                var logger = new CapturingLogger();
                var forwarder = Forwarder(impostorPort, pinnedFile, logger);
                await Assert.ThrowsAsync<IOException>(() => forwarder.PassAsync(CancellationToken.None));
                Assert.Contains(logger.Entries, e => e.Message.Contains("does not chain to the CA of Audit:Syslog:CaFile", StringComparison.Ordinal)
                    && e.Message.Contains("CN=impostor", StringComparison.Ordinal));
                await forwarder.Sink.DisposeAsync();
                await Task.Delay(500);
                Assert.Empty(impostor.Lines());
                Assert.Equal(0, await _store.LeasePositionAsync(ClusterLease.AuditExport("syslog")));
                await _store.ReleaseLeaseAsync(ClusterLease.AuditExport("syslog"), "tls-node", DateTimeOffset.UtcNow);
            }

            int port = RsyslogProcess.FreePort();
            await using var receiver = await RsyslogProcess.StartAsync(_dir.Combine("receiver"), port, Issue(_dir.Path, pinned, pinnedFile, "receiver"));
            var good = Forwarder(port, pinnedFile, new CapturingLogger());
            await good.PassAsync(CancellationToken.None);
            await good.Sink.DisposeAsync();
            var lines = (await receiver.WaitForLinesAsync(l => l.Count >= 2, TimeSpan.FromSeconds(20))).Select(SyslogLine.Parse).ToList();
            Assert.Equal([1L, 2L], lines.Select(l => l.Seq));
            Assert.Equal(("ann", "192.0.2.7", "web01", "login"), (lines[0].Audit["user"], lines[0].Audit["source"], lines[0].Audit["target"], lines[0].MsgId));
            Assert.Equal("a \"b\" ] \\ c", lines[0].Details["quote_d_"]);
            Assert.Equal("publickey+totp", lines[0].Details["method"]);
            Assert.Equal(("tls-node", "fumidai", 10 * 8 + 4), (lines[1].Host, lines[1].App, lines[1].Priority));
            Assert.Equal(2, await _store.LeasePositionAsync(ClusterLease.AuditExport("syslog")));
        }
    }
}
