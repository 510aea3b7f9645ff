using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Targets;

/// <summary><c>Targets:TcpKeepalive</c> and <c>Targets:KeepaliveInterval</c>: defaults, <c>0s</c> to turn off, nonsense named by key.</summary>
public sealed class TargetKeepaliveConfigurationTests
{
    [Fact]
    public void Defaults_probe_the_socket_every_half_minute_and_the_ssh_server_every_five_minutes()
    {
        using var dir = new TempDirectory("fumidai-config");
        var targets = ConfigurationLoader.Load(Write(dir, "{}")).Targets;
        Assert.Equal(TimeSpan.FromSeconds(30), Duration.Parse(targets.TcpKeepalive));
        Assert.Equal(TimeSpan.FromMinutes(5), Duration.Parse(targets.KeepaliveInterval));
    }

    [Theory]
    [InlineData("TcpKeepalive", "0s")]
    [InlineData("KeepaliveInterval", "0s")]
    [InlineData("TcpKeepalive", "2m")]
    [InlineData("KeepaliveInterval", "15s")]
    public void Zero_turns_one_off_and_durations_are_taken(string key, string value)
    {
        using var dir = new TempDirectory("fumidai-config");
        var targets = ConfigurationLoader.Load(Write(dir, $$"""{ "Targets": { "{{key}}": "{{value}}" } }""")).Targets;
        Assert.Equal(value, key == "TcpKeepalive" ? targets.TcpKeepalive : targets.KeepaliveInterval);
    }

    [Theory]
    [InlineData("TcpKeepalive", "often")]
    [InlineData("KeepaliveInterval", "30")]
    [InlineData("TcpKeepalive", "-5s")]
    public void Anything_else_is_refused_naming_the_key(string key, string value)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, $$"""{ "Targets": { "{{key}}": "{{value}}" } }""");
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains("Targets:" + key, error);
    }

    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }
}
