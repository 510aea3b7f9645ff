using System.Diagnostics;
using Xunit.Abstractions;

namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>
/// Mutation fuzzing of the packet and message decoders: only the documented exceptions may escape.
/// The bounded run (20,000 inputs over all targets, fixed seed) is part of every test run; the long run is opt-in.
/// </summary>
public sealed class DecoderFuzzTests
{
    /// <summary>Inputs in the bounded run, shared evenly by the targets.</summary>
    public const int BoundedInputs = 20_000;

    private const int BoundedSeed = 0x5EED_2024;

    private readonly ITestOutputHelper _output;

    public DecoderFuzzTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Targets() => FuzzTargets.Names();

    [Theory]
    [MemberData(nameof(Targets))]
    public void Bounded_run_finds_nothing(string target)
    {
        var fuzzTarget = FuzzTargets.Get(target);
        // Each target gets its own fixed seed so that adding a target does not change the others' inputs.
        var runner = new FuzzRunner(BoundedSeed ^ StableHash(target));
        // Split exactly: the first targets take the remainder, so the run totals BoundedInputs.
        int targets = FuzzTargets.All.Count, index = FuzzTargets.All.ToList().IndexOf(fuzzTarget);
        runner.Run(fuzzTarget, BoundedInputs / targets + (index < BoundedInputs % targets ? 1 : 0));
        _output.WriteLine(runner.Summary());
        Assert.True(runner.Findings.Count == 0, runner.Summary());
    }

    [Fact]
    public async Task Seeds_decode_without_error()
    {
        // Guards the fuzzer itself: if seeds were already invalid, mutations would only explore the first check.
        foreach (var target in FuzzTargets.All)
        {
            foreach (var seed in target.Seeds)
            {
                try
                {
                    await target.Run(seed);
                }
                catch (SshConnectionLostException)
                {
                    // Stream targets read until the input ends.
                }
            }
        }
    }

    [Fact]
    public void Runner_reports_undocumented_exceptions_and_slow_inputs()
    {
        // The fuzzer must be able to fail: a decoder that indexes past a short input is reported, as is a slow one.
        var broken = new FuzzTarget("broken", [new byte[8]], input =>
        {
            if (input.Length < 8) _ = input[8];
            if (input.Length > 8 && input[0] == 0xff) Thread.Sleep(FuzzRunner.HangLimit + TimeSpan.FromMilliseconds(100));
            return ValueTask.CompletedTask;
        }, e => e is SshProtocolException);
        var runner = new FuzzRunner(1);
        runner.Run(broken, 300);
        Assert.Contains(runner.Findings, f => f.Kind == nameof(IndexOutOfRangeException));
        Assert.Contains(runner.Findings, f => f.Kind == "slow");
    }

    /// <summary>Long mode: <c>FUMIDAI_FUZZ_SECONDS=N</c> runs all targets for N seconds with a random seed (printed).</summary>
    [EnvironmentFact("FUMIDAI_FUZZ_SECONDS")]
    public void Long_run_when_requested()
    {
        string requested = Environment.GetEnvironmentVariable("FUMIDAI_FUZZ_SECONDS")!;
        Assert.True(int.TryParse(requested, out int seconds) && seconds > 0, $"FUMIDAI_FUZZ_SECONDS must be a positive number of seconds, not '{requested}'");
        int seed = Environment.GetEnvironmentVariable("FUMIDAI_FUZZ_SEED") is { } fixedSeed ? int.Parse(fixedSeed) : Random.Shared.Next();
        Console.WriteLine($"fuzz: seed {seed}, {seconds} s");
        var runner = new FuzzRunner(seed);
        var clock = Stopwatch.StartNew();
        runner.RunFor(FuzzTargets.All, TimeSpan.FromSeconds(seconds));
        string summary = $"fuzz: {clock.Elapsed.TotalSeconds:F0} s, " + runner.Summary();
        Console.WriteLine(summary);
        _output.WriteLine(summary);
        Assert.True(runner.Findings.Count == 0, summary);
    }

    private static int StableHash(string text)
    {
        // string.GetHashCode is randomised per process; this one is not.
        int hash = 17;
        foreach (char c in text) hash = hash * 31 + c;
        return hash;
    }
}
