using System.Text.RegularExpressions;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;
using Xunit.Abstractions;

namespace Fumidai.Ssh.Tests.Interop;

/// <summary>Debian's ssh-audit against the default configuration (it must print no failure line).</summary>
public sealed partial class SshAuditTests
{
    /// <summary>
    /// Warnings we know and accept, each with its reason. Debian 12 ships ssh-audit 2.5.0 (2021), older than both names:
    /// mlkem768x25519-sha256 (OpenSSH 9.9, 2024) and the strict-kex marker (OpenSSH 9.6, the Terrapin fix of Dec 2023).
    /// Any other warning fails the test until it is explained here or removed from the defaults.
    /// </summary>
    private static readonly Dictionary<string, string> ExplainedWarnings = new()
    {
        ["(kex) mlkem768x25519-sha256 -- [warn] unknown algorithm"] = "post-quantum hybrid kex, newer than ssh-audit 2.5.0",
        ["(kex) kex-strict-s-v00@openssh.com -- [warn] unknown algorithm"] = "strict kex pseudo-algorithm (Terrapin countermeasure), newer than ssh-audit 2.5.0",
    };

    private readonly ITestOutputHelper _output;

    public SshAuditTests(ITestOutputHelper output) => _output = output;

    [GeneratedRegex(@"[\(\[]fail[\)\]]")]
    private static partial Regex FailurePattern();

    [Fact]
    public async Task Default_configuration_has_no_failures()
    {
        using var directory = new TempDirectory("fumidai-audit");
        await using var server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = directory.Combine("hostkeys"),
            Transport = new SshTransportSettings(),
        });
        // -n: no colours; -b: one finding per line, so each warning can be matched whole.
        var result = await ProcessRunner.RunAsync("ssh-audit", ["-n", "-b", "-t", "10", "-p", server.Port.ToString(), "127.0.0.1"], TimeSpan.FromSeconds(60));
        string output = result.Output;
        _output.WriteLine(output);

        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        // The audit must have seen our offer, or "no failures" would mean nothing.
        Assert.Contains(lines, l => l.StartsWith("(gen) banner: " + VersionExchange.SoftwareVersion));
        Assert.Contains(lines, l => l.StartsWith("(kex) curve25519-sha256 "));
        Assert.Contains(lines, l => l.StartsWith("(enc) chacha20-poly1305@openssh.com "));

        var failures = lines.Where(l => FailurePattern().IsMatch(l)).ToList();
        Assert.True(failures.Count == 0, "ssh-audit failures:\n" + string.Join('\n', failures));
        // ssh-audit 2.5.0 exit codes: 0 good, 2 warnings, 3 failures.
        Assert.True(result.ExitCode is 0 or 2, $"ssh-audit exit code {result.ExitCode}");

        var warnings = lines.Where(l => l.Contains("[warn]")).ToList();
        foreach (var warning in warnings) _output.WriteLine($"warning: {warning} => {ExplainedWarnings.GetValueOrDefault(warning, "UNEXPLAINED")}");
        Assert.All(warnings, w => Assert.True(ExplainedWarnings.ContainsKey(w), "unexplained ssh-audit warning: " + w));
    }
}
