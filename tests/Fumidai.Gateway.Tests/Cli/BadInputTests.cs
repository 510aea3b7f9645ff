using Fumidai.Cli.Infrastructure;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>Every command with missing or invalid arguments prints a clear error on stderr and exits with a meaningful code.</summary>
public sealed class BadInputTests : IClassFixture<InitializedCli>
{
    private const string HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    private readonly CliHarness _cli;

    public BadInputTests(InitializedCli fixture) => _cli = fixture.Cli;

    public static TheoryData<string, int, string> Cases => new()
    {
        // command line, expected exit code, text the error must contain
        { "", ExitCodes.Usage, "Required command" },
        { "frobnicate", ExitCodes.Usage, "frobnicate" },
        { "user", ExitCodes.Usage, "Required command" },
        { "user add", ExitCodes.Usage, "Required argument" },
        { "user add bad:name", ExitCodes.Usage, "invalid user name" },
        { "user add -dash", ExitCodes.Usage, "-dash" },
        { "user add ok1 --key", ExitCodes.Usage, "--key" },
        { "user add ok1 --key /nonexistent.pub", ExitCodes.Usage, "no such file" },
        { "user add ok1 --key /etc", ExitCodes.Usage, "directory" },
        { "user add ok1 --key /etc/hostname", ExitCodes.Usage, "not an OpenSSH public key" },
        { "user add ok1 --role", ExitCodes.Usage, "--role" },
        { "user add ok1 --role nosuch", ExitCodes.NotFound, "nosuch" },
        { "user add ok1 --qr-png /nonexistent-dir/q.png", ExitCodes.Usage, "does not exist" },
        { "user add ok1 --password-stdin", ExitCodes.Usage, "no password" },
        { "user add ok1 --bogus", ExitCodes.Usage, "--bogus" },
        { "user list extra", ExitCodes.Usage, "extra" },
        { "user show", ExitCodes.Usage, "Required argument" },
        { "user show ghost", ExitCodes.NotFound, "ghost" },
        { "user set boss", ExitCodes.Usage, "--role" },
        { "user set ghost --role user", ExitCodes.NotFound, "ghost" },
        { "user key", ExitCodes.Usage, "Required command" },
        { "user key add boss", ExitCodes.Usage, "Required argument" },
        { "user key add ghost /etc/hostname", ExitCodes.Usage, "not an OpenSSH public key" },
        { "user key remove boss SHA256:nothere", ExitCodes.NotFound, "no such key" },
        { "user disable", ExitCodes.Usage, "Required argument" },
        { "user disable ghost", ExitCodes.NotFound, "ghost" },
        { "user enable ghost", ExitCodes.NotFound, "ghost" },
        { "user unlock ghost", ExitCodes.NotFound, "ghost" },
        { "user reset-mfa ghost", ExitCodes.NotFound, "ghost" },
        { "user reset-mfa", ExitCodes.Usage, "Required argument" },
        { "ca", ExitCodes.Usage, "Required command" },
        { "ca show extra", ExitCodes.Usage, "extra" },
        { "target add", ExitCodes.Usage, "Required argument" },
        { "target add t1", ExitCodes.Usage, "--host" },
        { "target add t1 --host", ExitCodes.Usage, "--host" },
        { "target add t1 --host bad_host! --host-key KEY", ExitCodes.Usage, "not a host name" },
        { "target add t1 --host h --port 70000 --host-key KEY", ExitCodes.Usage, "port" },
        { "target add t1 --host h --port abc --host-key KEY", ExitCodes.Usage, "abc" },
        { "target add t1 --host h --login bad@login --host-key KEY", ExitCodes.Usage, "invalid login name" },
        { "target add t1 --host h --host-key ssh-ed25519", ExitCodes.Usage, "--host-key" },
        { "target add t1 --host h --host-key garbage!!", ExitCodes.Usage, "--host-key" },
        { "target add t1 --host h --login root", ExitCodes.Usage, "pinned host key" },
        { "target add t1 --host h --scan --host-key KEY", ExitCodes.Usage, "not both" },
        { "target add t1 --host h --yes --host-key KEY", ExitCodes.Usage, "--yes" },
        { "target add t1 --host h --host-key KEY --key /nonexistent", ExitCodes.Usage, "no such file" },
        { "target add t1 --host h --host-key KEY --key /etc/hostname", ExitCodes.Usage, "--key" },
        { "target show ghost", ExitCodes.NotFound, "ghost" },
        { "target remove ghost", ExitCodes.NotFound, "ghost" },
        { "target remove", ExitCodes.Usage, "Required argument" },
        { "role add r1", ExitCodes.Usage, "--targets" },
        { "role add r1 --targets web*", ExitCodes.Usage, "--logins" },
        { "role add r1 --targets web/* --logins x", ExitCodes.Usage, "invalid pattern" },
        { "role add r1 --targets * --logins x --allow teleport", ExitCodes.Usage, "teleport" },
        { "role add r1 --targets * --logins x --idle-timeout soon", ExitCodes.Usage, "not a duration" },
        { "role add r1 --targets * --logins x --idle-timeout 1h", ExitCodes.Usage, "15m" },
        { "role add r1 --targets * --logins x --max-session 0s", ExitCodes.Usage, "not a duration" },
        { "role add r1 --targets * --logins , ", ExitCodes.Usage, "--logins" },
        { "role add admin --targets * --logins x", ExitCodes.Conflict, "built-in" },
        { "role remove ghost", ExitCodes.NotFound, "ghost" },
        { "role remove user", ExitCodes.Conflict, "built-in" },
        { "sessions list --since yesterday", ExitCodes.Usage, "not a duration" },
        { "sessions list --user bad:user", ExitCodes.Usage, "invalid user name" },
        { "sessions show", ExitCodes.Usage, "Required argument" },
        { "sessions show ghost", ExitCodes.NotFound, "ghost" },
        { "sessions play ghost", ExitCodes.NotFound, "ghost" },
        { "sessions play ghost --speed 0", ExitCodes.Usage, "--speed" },
        { "sessions play ghost --speed fast", ExitCodes.Usage, "fast" },
        { "sessions play ghost --idle-limit -1", ExitCodes.Usage, "--idle-limit" },
        { "sessions export ghost", ExitCodes.Usage, "--output" },
        { "sessions export ghost -o /nonexistent-dir/x.cast", ExitCodes.Usage, "does not exist" },
        { "sessions export ghost -o OUT", ExitCodes.NotFound, "ghost" },
        { "audit --since 5x", ExitCodes.Usage, "not a duration" },
        { "audit --json extra", ExitCodes.Usage, "extra" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_invocations_fail_with_a_clear_error(string commandLine, int exitCode, string expected)
    {
        // KEY stands for one argument holding "TYPE BASE64"; OUT for a writable file.
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a switch { "KEY" => HostKey, "OUT" => _cli.File("out.cast"), _ => a }).ToArray();
        var result = await _cli.RunAsync(args);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("fumidai: error: ", result.Error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("init --help")]
    [InlineData("user add --help")]
    [InlineData("user key remove --help")]
    [InlineData("target add --help")]
    [InlineData("role add --help")]
    [InlineData("sessions export --help")]
    [InlineData("audit --help")]
    public async Task Help_is_available_everywhere_and_names_the_data_option(string commandLine)
    {
        var result = await _cli.RunAsync(commandLine.Split(' '));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--data", result.Out);
        Assert.Contains("Usage:", result.Out);
    }
}
