using Fumidai.Cli.Infrastructure;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>A mistyped command or option gets the nearest valid one suggested, and still fails with the usage exit code.</summary>
public sealed class SuggestionTests
{
    [Theory]
    [InlineData(new[] { "user", "add", "alice", "--keys", "k.pub" }, "'--keys'", "--key")]
    [InlineData(new[] { "usr", "list" }, "'usr'", "user")]
    [InlineData(new[] { "sessions", "lst" }, "'lst'", "list")]
    [InlineData(new[] { "sessions", "serach", "x" }, "'serach'", "search")]
    [InlineData(new[] { "target", "add", "web01", "--hots", "10.0.0.1" }, "'--hots'", "--host")]
    [InlineData(new[] { "sessions", "list", "--usr", "alice" }, "'--usr'", "--user")]
    public async Task A_near_miss_is_answered_with_the_valid_name(string[] args, string typed, string suggestion)
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{typed} is not a", result.Error);
        Assert.Contains($"did you mean '{suggestion}'?", result.Error);
    }

    [Fact]
    public async Task Nothing_is_suggested_when_no_name_is_close()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("user", "add", "alice", "--frobnicate-everything");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.DoesNotContain("did you mean", result.Error);
        Assert.Contains("Try 'fumidai user add --help'.", result.Error);
    }
}
