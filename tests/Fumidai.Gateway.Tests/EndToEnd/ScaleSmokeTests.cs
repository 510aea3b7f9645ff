using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// The load generator's documented command, small: 200 operator sessions through a real <c>fumidai serve</c> to the test
/// host, all open at once, then every recording verified. Keeps the benchmark working; its figures are not asserted.
/// </summary>
public sealed class ScaleSmokeTests
{
    [Fact]
    public async Task Two_hundred_idle_sessions_open_through_the_bastion_and_every_recording_verifies()
    {
        string script = Path.Combine(RepositoryRoot.Path, "bench", "scale", "run.sh");
        var result = await ProcessRunner.RunAsync("bash", [script], TimeSpan.FromMinutes(6), environment: new Dictionary<string, string>
        {
            ["MODE"] = "idle",
            ["SESSIONS"] = "200",
            ["SECONDS_"] = "3",
            // The suite's build has built the generator, the test host and fumidai.
            ["NO_BUILD"] = "1",
        });
        string output = result.Output + result.StandardError;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}:\n{output}");
        Assert.Contains("opened 200/200 sessions", output);
        Assert.DoesNotContain("errors: 1", output);
        Assert.Matches(@"\[after the hold\] errors: 0", output);
        Assert.Contains("200 recordings: 200 ok", output);
        Assert.Contains("sessions started (audit): 200", output);
    }
}
