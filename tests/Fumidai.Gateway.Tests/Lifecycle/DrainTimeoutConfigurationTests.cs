using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary><c>Sessions:DrainTimeout</c>: 60s by default, a positive duration up to a day, anything else named by key and line.</summary>
public sealed class DrainTimeoutConfigurationTests
{
    [Fact]
    public void Default_lets_sessions_finish_for_a_minute()
    {
        using var dir = new TempDirectory("fumidai-config");
        Assert.Equal(TimeSpan.FromSeconds(60), Duration.Parse(ConfigurationLoader.Load(Write(dir, "{}")).Sessions.DrainTimeout));
    }

    [Fact]
    public void The_file_written_by_init_states_the_default()
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, ConfigurationLoader.DefaultFileText());
        Assert.Contains("\"DrainTimeout\": \"60s\"", File.ReadAllText(path));
        Assert.Equal("60s", ConfigurationLoader.Load(path).Sessions.DrainTimeout);
    }

    [Theory]
    [InlineData("5s", 5)]
    [InlineData("10m", 600)]
    [InlineData("1d", 86400)]
    public void Durations_up_to_a_day_are_accepted(string value, int seconds)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, Sessions(value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(ConfigurationLoader.Load(path).Sessions.DrainTimeout));
    }

    [Theory]
    [InlineData("forever", "is not a duration")]
    [InlineData("60", "is not a duration")]
    [InlineData("0s", "is not a duration")]
    [InlineData("-5s", "is not a duration")]
    [InlineData("", "is not a duration")]
    [InlineData("25h", "at most 1d")]
    [InlineData("2d", "at most 1d")]
    public void Anything_else_is_refused_naming_the_key_and_its_line(string value, string why)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, Sessions(value));
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains($"{path}:3: Sessions:DrainTimeout", error);
        Assert.Contains(why, error);
    }

    private static string Sessions(string drainTimeout) => $$"""
        {
          "Sessions": {
            "DrainTimeout": "{{drainTimeout}}"
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
