using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary><c>Recording:MaxChunkAgeSeconds</c>: its default, a value taken, and out-of-range values named by key and line.</summary>
public sealed class ChunkAgeConfigurationTests
{
    [Fact]
    public void By_default_a_busy_sessions_chunk_is_sealed_every_30_seconds()
    {
        using var dir = new TempDirectory("fumidai-config");
        Assert.Equal(30, ConfigurationLoader.Load(Write(dir, "{}")).Recording.MaxChunkAgeSeconds);
    }

    [Fact]
    public void A_value_in_range_is_taken()
    {
        using var dir = new TempDirectory("fumidai-config");
        Assert.Equal(5, ConfigurationLoader.Load(Write(dir, Recording(5))).Recording.MaxChunkAgeSeconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3601)]
    public void Out_of_range_is_refused_naming_the_key_and_its_line(int value)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, Recording(value));
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains($"{path}:3: Recording:MaxChunkAgeSeconds = {value} must be between 1 and 3600", error);
    }

    private static string Recording(int value) => $$"""
        {
          "Recording": {
            "MaxChunkAgeSeconds": {{value}}
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
