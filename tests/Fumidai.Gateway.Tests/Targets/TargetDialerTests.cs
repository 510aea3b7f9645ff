using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging.Abstractions;
using Sshd = Fumidai.Testing.PrivateSshd;

namespace Fumidai.Gateway.Tests.Targets;

/// <summary>The dialer's certificates against Debian's sshd, which enforces their extensions and source-address.</summary>
public sealed class TargetDialerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly SshPrivateKey _ca = SshPrivateKey.Generate("ssh-ed25519");
    private Sshd _sshd = null!;

    public async Task InitializeAsync() => _sshd = await Sshd.StartAsync([], [_ca.PublicKey]);

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task A_session_without_a_pty_runs_commands_but_gets_no_terminal_and_no_forwarding()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await using var client = await Dialer("").DialAsync(Target(), Sshd.User, "alice", "s-nopty", TargetUse.Session(false), cancel.Token);
        var result = await client.RunCommandAsync("echo RAN-$((6*7))", cancellationToken: cancel.Token);
        Assert.Contains("RAN-42", Encoding.UTF8.GetString(result.StandardOutput));

        await using (var session = await client.OpenSessionAsync(cancel.Token))
            await Assert.ThrowsAsync<SshChannelRequestException>(() => session.RequestPtyAsync("xterm", 80, 24, cancellationToken: cancel.Token));

        await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenDirectTcpipAsync(Sshd.Host, _sshd.Port, cancellationToken: cancel.Token));
        Assert.True(await _sshd.WaitForLogAsync("refused local port forward"), _sshd.Log);
    }

    [Fact]
    public async Task A_session_with_a_pty_gets_a_terminal()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await using var client = await Dialer("").DialAsync(Target(), Sshd.User, "alice", "s-pty", TargetUse.Session(true), cancel.Token);
        await using var session = await client.OpenSessionAsync(cancel.Token);
        await session.RequestPtyAsync("xterm", 80, 24, cancellationToken: cancel.Token);
        await session.ExecAsync("tty", cancel.Token);
        var result = await session.ReadToEndAsync(cancel.Token);
        Assert.Contains("/dev/pts/", Encoding.UTF8.GetString(result.StandardOutput));
    }

    [Fact]
    public async Task The_forwarding_connection_may_forward()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await using var client = await Dialer("").DialAsync(Target(), Sshd.User, "alice", "fwd-1", TargetUse.Forwarding, cancel.Token);
        var channel = await client.OpenDirectTcpipAsync(Sshd.Host, _sshd.Port, cancellationToken: cancel.Token);
        await channel.CloseAsync(cancel.Token);
        Assert.DoesNotContain("refused local port forward", _sshd.Log);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task A_certificate_bound_to_the_bastions_address_is_accepted(string setting)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await using var client = await Dialer(setting).DialAsync(Target(), Sshd.User, "alice", "s-src", TargetUse.Session(false), cancel.Token);
        var result = await client.RunCommandAsync("echo BOUND", cancellationToken: cancel.Token);
        Assert.Contains("BOUND", Encoding.UTF8.GetString(result.StandardOutput));
    }

    [Fact]
    public async Task A_certificate_bound_to_another_address_is_refused_by_sshd()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await Assert.ThrowsAsync<ClientAuthenticationException>(() =>
            Dialer("127.0.0.2").DialAsync(Target(), Sshd.User, "alice", "s-elsewhere", TargetUse.Session(true), cancel.Token));
        Assert.True(await _sshd.WaitForLogAsync("not from a permitted source address"), _sshd.Log);
    }

    private TargetDialer Dialer(string sourceAddress) => new(new SecretProtector(RandomNumberGenerator.GetBytes(32)), _ca,
        TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), NullLogger.Instance, sourceAddress);

    private TargetRecord Target() => new("web01", Sshd.Host, _sshd.Port, [Sshd.User], _sshd.HostKeys.Select(k => k.ToString()).ToList(), null,
        DateTimeOffset.UtcNow);
}
