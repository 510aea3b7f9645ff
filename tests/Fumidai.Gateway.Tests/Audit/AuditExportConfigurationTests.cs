using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>Bad audit export, alert and review settings stop <c>serve</c> at load, naming the key and the file line.</summary>
public sealed class AuditExportConfigurationTests
{
    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("""{ "Audit": { "Syslog": { "Address": "syslog.example.net:514" } } }""", "Audit:Syslog:Address")]
    [InlineData("""{ "Audit": { "Syslog": { "Address": "tcp://127.0.0.1:514", "CaFile": "/etc/hosts" } } }""", "Audit:Syslog:CaFile applies only to a tls://")]
    [InlineData("""{ "Audit": { "Syslog": { "Address": "tls://127.0.0.1:6514", "CaFile": "/nonexistent/ca.pem" } } }""", "Audit:Syslog:CaFile")]
    [InlineData("""{ "Alerts": { "Webhook": { "Url": "ftp://x/y", "SecretFile": "/etc/hosts" } } }""", "Alerts:Webhook:Url")]
    [InlineData("""{ "Alerts": { "Webhook": { "Url": "https://alerts.example.net/x" } } }""", "Alerts:Webhook:SecretFile")]
    [InlineData("""{ "Review": { "WorkingHours": "9 to 5" } }""", "Review:WorkingHours")]
    [InlineData("""{ "Review": { "TimeZone": "Mars/Olympus" } }""", "Review:TimeZone")]
    [InlineData("""{ "Review": { "WorkingDays": ["Mon", "Funday"] } }""", "Review:WorkingDays")]
    public void A_bad_setting_is_refused_with_its_key(string json, string expected)
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write(dir, json))).Message;
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Good_settings_load()
    {
        using var dir = new TempDirectory();
        string secret = dir.Combine("secret");
        File.WriteAllText(secret, "s3cret\n");
        var options = ConfigurationLoader.Load(Write(dir, $$"""
            { "Audit": { "Syslog": { "Address": "udp://127.0.0.1:514" }, "Stdout": true },
              "Alerts": { "Webhook": { "Url": "https://alerts.example.net/x", "SecretFile": "{{secret}}" } },
              "Review": { "WorkingHours": "22:00-06:00", "TimeZone": "Europe/Paris", "WatchCommands": ["dd if="] } }
            """));
        Assert.True(options.Audit.Stdout);
        Assert.Equal(["dd if="], options.Review.Watched());
        Assert.Equal(5, options.Review.Days().Count);
        Assert.Equal((new TimeOnly(22, 0), new TimeOnly(6, 0)), options.Review.Hours());
    }
}
