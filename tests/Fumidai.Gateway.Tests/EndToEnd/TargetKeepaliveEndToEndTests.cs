namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Debian's ssh → <c>fumidai serve</c> → Debian's sshd: the bastion's connection to the target is watched by the kernel
/// (TCP keepalive) and, less often, by SSH keepalives that also catch a target that stopped answering.
/// </summary>
public sealed class TargetKeepaliveEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private const string IntervalVariable = "FUMIDAI__Targets__KeepaliveInterval";
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly BastionHarness _h;

    public TargetKeepaliveEndToEndTests(BastionHarness harness) => _h = harness;

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_connection_to_the_target_carries_the_kernel_keepalive_timer()
    {
        var op = await _h.AddOperatorAsync("tcpka");
        await using var ssh = _h.SshInteractive(op, "tcpka:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        await ssh.TypeAsync("echo KA_$((6*7))\r");
        await ssh.WaitForAsync("KA_42", Short);

        var timers = await SocketTimers.ToRemotePortAsync(_h.Target.Port);

        // The default idle time is 30 s: the first probe is due within that, not after the kernel's two hours.
        Assert.Contains(timers, t => t.Name == "keepalive" && t.Seconds <= 30);
        await ssh.TypeAsync("exit\r");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task A_target_that_stops_answering_ends_the_session_after_the_ssh_keepalives_go_unanswered()
    {
        using var silent = new FreezableProxy(_h.Target.Port);
        await _h.MustAsync("target", "add", "webfrozen", "--host", PrivateSshd.Host, "--port", silent.Port.ToString(), "--login", "root",
            "--host-key", _h.Target.HostKeys[0].ToString());
        var op = await _h.AddOperatorAsync("sshka");
        try
        {
            await RestartWithIntervalAsync("1s");
            await using var ssh = _h.SshInteractive(op, "sshka:webfrozen", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
            await ssh.TypeAsync("echo FROZEN_$((6*7))\r");
            await ssh.WaitForAsync("FROZEN_42", Short);

            silent.Freeze();

            // Three unanswered keepalives a second apart; the operator is not left in front of a dead terminal.
            Assert.NotEqual(0, await ssh.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            var session = await _h.WaitForSessionAsync("sshka", s => s.GetProperty("status").GetString() != "running", "ended",
                TimeSpan.FromSeconds(10));
            Assert.Equal("target-closed", session.GetProperty("endReason").GetString());
            Assert.Contains("keepalive", _h.Bastion.Log);
        }
        finally
        {
            _h.BastionEnvironment.Remove(IntervalVariable);
            await _h.Bastion.DisposeAsync();
            await _h.StartBastionAsync();
        }
    }

    private async Task RestartWithIntervalAsync(string value)
    {
        await _h.Bastion.DisposeAsync();
        _h.BastionEnvironment[IntervalVariable] = value;
        await _h.StartBastionAsync();
    }
}
