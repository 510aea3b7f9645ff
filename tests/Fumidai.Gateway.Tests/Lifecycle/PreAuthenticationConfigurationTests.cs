using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary><c>Ssh:MaxUnauthenticated</c> and <c>Ssh:MaxQueued</c>: defaults, and out-of-range values named by key and line.</summary>
public sealed class PreAuthenticationConfigurationTests
{
    [Fact]
    public void By_default_100_log_in_at_once_and_1000_more_may_wait()
    {
        using var dir = new TempDirectory("fumidai-config");
        var ssh = ConfigurationLoader.Load(Write(dir, "{}")).Ssh;
        Assert.Equal((100, 1000), (ssh.MaxUnauthenticated, ssh.MaxQueued));
    }

    [Theory]
    [InlineData("MaxQueued", 0)]
    [InlineData("MaxQueued", 5000)]
    [InlineData("MaxUnauthenticated", 1)]
    public void Values_in_range_are_taken(string key, int value)
    {
        using var dir = new TempDirectory("fumidai-config");
        var ssh = ConfigurationLoader.Load(Write(dir, Ssh(key, value))).Ssh;
        Assert.Equal(value, key == "MaxQueued" ? ssh.MaxQueued : ssh.MaxUnauthenticated);
    }

    [Theory]
    [InlineData("MaxQueued", -1)]
    [InlineData("MaxQueued", 100_001)]
    [InlineData("MaxUnauthenticated", 0)]
    public void Out_of_range_is_refused_naming_the_key_and_its_line(string key, int value)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, Ssh(key, value));
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains($"{path}:3: Ssh:{key} = {value} must be between", error);
    }

    private static string Ssh(string key, int value) => $$"""
        {
          "Ssh": {
            "{{key}}": {{value}}
          }
        }
        """;

    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }
}
