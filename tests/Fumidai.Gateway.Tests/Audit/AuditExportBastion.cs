namespace Fumidai.Gateway.Tests.Audit;

/// <summary>
/// A real <c>fumidai serve</c> exporting its audit log to Debian's rsyslogd over TCP, as JSON lines on stdout, and alerts to
/// a local webhook; lockout after 3 failures so a lockout is cheap to provoke.
/// </summary>
public sealed class AuditExportBastion : IAsyncLifetime
{
    public const string Secret = "webhook-test-secret";

    public AuditExportBastion()
    {
        SyslogPort = RsyslogProcess.FreePort();
        Webhook = new WebhookReceiver();
        Harness = new BastionHarness
        {
            BastionEnvironment =
            {
                ["FUMIDAI__Audit__Syslog__Address"] = $"tcp://127.0.0.1:{SyslogPort}",
                ["FUMIDAI__Audit__Stdout"] = "true",
                ["FUMIDAI__Alerts__Webhook__Url"] = Webhook.Url,
                ["FUMIDAI__Security__LockoutThreshold"] = "3",
            },
        };
        string secretFile = Harness.Directory.Combine("webhook.secret");
        File.WriteAllText(secretFile, Secret + "\n");
        Harness.BastionEnvironment["FUMIDAI__Alerts__Webhook__SecretFile"] = secretFile;
    }

    public int SyslogPort { get; }

    public BastionHarness Harness { get; }

    public WebhookReceiver Webhook { get; }

    public RsyslogProcess Rsyslog { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Harness.InitializeAsync();
        Rsyslog = await RsyslogProcess.StartAsync(Harness.Directory.Combine("rsyslog"), SyslogPort);
    }

    public async Task DisposeAsync()
    {
        if (Rsyslog is not null) await Rsyslog.DisposeAsync();
        await Harness.DisposeAsync();
        Webhook.Dispose();
    }
}
