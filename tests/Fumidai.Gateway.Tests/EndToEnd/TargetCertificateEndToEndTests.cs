namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Debian's ssh → <c>fumidai serve</c> → Debian's sshd, which enforces what the bastion's narrow certificates grant.
/// Its own harness: one test restarts the bastion with another <c>Targets:CertificateSourceAddress</c>.
/// </summary>
public sealed class TargetCertificateEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private const string SourceAddressVariable = "FUMIDAI__Targets__CertificateSourceAddress";
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly BastionHarness _h;

    public TargetCertificateEndToEndTests(BastionHarness harness) => _h = harness;

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_shell_with_a_pty_works()
    {
        var op = await _h.AddOperatorAsync("certshell");
        await using var ssh = _h.SshInteractive(op, "certshell:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        await ssh.TypeAsync("tty; echo SHELL_$((6*7))\r");
        int shown = await ssh.WaitForAsync("SHELL_42", Short);
        Assert.Contains("/dev/pts/", ssh.Output);
        await ssh.TypeAsync("exit\r");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
        Assert.True(shown > 0);
    }

    [Fact]
    public async Task An_exec_without_a_pty_works()
    {
        var op = await _h.AddOperatorAsync("certexec");
        var result = await _h.SshExecAsync(op, "certexec:web01", "tty; echo EXEC_$((6*7))", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()),
            sshArguments: ["-T"]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output} {result.StandardError}");
        Assert.Contains("EXEC_42", result.Output);
        Assert.Contains("not a tty", result.Output);
    }

    [Fact]
    public async Task A_certificate_bound_to_another_source_address_is_refused_by_the_target_and_the_bastions_own_works()
    {
        var elsewhere = await _h.AddOperatorAsync("certsrc2");
        var here = await _h.AddOperatorAsync("certsrc1");
        try
        {
            await RestartWithSourceAddressAsync("127.0.0.2");
            var refused = await _h.SshExecAsync(elsewhere, "certsrc2:web01", "echo SHOULD_NOT_RUN",
                await Totp.CodeAsync(elsewhere.Secret, Totp.CurrentStep()));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
            Assert.True(await _h.Target.WaitForLogAsync("not from a permitted source address", TimeSpan.FromSeconds(10)), _h.Target.Log);

            await RestartWithSourceAddressAsync("127.0.0.1");
            var accepted = await _h.SshExecAsync(here, "certsrc1:web01", "echo BOUND_$((6*7))", await Totp.CodeAsync(here.Secret, Totp.CurrentStep()));
            Assert.True(accepted.ExitCode == 0, $"exit {accepted.ExitCode}: {accepted.Output} {accepted.StandardError}");
            Assert.Contains("BOUND_42", accepted.Output);
        }
        finally
        {
            _h.BastionEnvironment.Remove(SourceAddressVariable);
            await _h.Bastion.DisposeAsync();
            await _h.StartBastionAsync();
        }
    }

    private async Task RestartWithSourceAddressAsync(string value)
    {
        await _h.Bastion.DisposeAsync();
        _h.BastionEnvironment[SourceAddressVariable] = value;
        await _h.StartBastionAsync();
    }
}
