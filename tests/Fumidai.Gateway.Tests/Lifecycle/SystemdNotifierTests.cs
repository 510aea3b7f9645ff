using Fumidai.Gateway.Lifecycle;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>The systemd notify client against a real unix datagram socket bound by the test, as systemd binds one.</summary>
public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ready_stopping_and_status_arrive_as_datagrams_at_a_socket_path()
    {
        using var dir = new TempDirectory("fumidai-notify");
        using var systemd = new NotifySocket(dir.Combine("notify"));
        using var notifier = new SystemdNotifier(systemd.Address, NullLogger.Instance);

        notifier.Ready("listening on 127.0.0.1:2222");
        notifier.Stopping("draining: 2 session(s)", TimeSpan.FromSeconds(70));
        notifier.Status("cutting 2 session(s)");

        Assert.True(notifier.Enabled);
        var ready = await systemd.WaitForAsync(d => d.Contains("READY=1"), "READY=1", Wait);
        Assert.Equal(["READY=1", "STATUS=listening on 127.0.0.1:2222"], NotifySocket.Lines(ready));
        var stopping = await systemd.WaitForAsync(d => d.Contains("STOPPING=1"), "STOPPING=1", Wait);
        Assert.Equal(["STOPPING=1", "STATUS=draining: 2 session(s)", "EXTEND_TIMEOUT_USEC=70000000"], NotifySocket.Lines(stopping));
        var status = await systemd.WaitForAsync(d => d.Contains("cutting"), "STATUS=cutting", Wait);
        Assert.Equal(["STATUS=cutting 2 session(s)"], NotifySocket.Lines(status));
        Assert.Equal(3, systemd.Datagrams.Count);
    }

    [Fact]
    public async Task An_abstract_socket_named_with_an_at_sign_is_reached()
    {
        string name = "@fumidai-notify-test-" + Guid.NewGuid().ToString("N");
        using var systemd = new NotifySocket(name);
        using var notifier = new SystemdNotifier(name, NullLogger.Instance);

        notifier.Ready("listening");

        Assert.Equal(["READY=1", "STATUS=listening"], NotifySocket.Lines(await systemd.WaitForAsync(_ => true, "READY=1", Wait)));
    }

    [Fact]
    public async Task A_line_break_in_a_status_cannot_forge_another_assignment()
    {
        using var dir = new TempDirectory("fumidai-notify");
        using var systemd = new NotifySocket(dir.Combine("notify"));
        using var notifier = new SystemdNotifier(systemd.Address, NullLogger.Instance);

        notifier.Status("target web01\nREADY=1\r\nSTOPPING=1");

        var datagram = await systemd.WaitForAsync(_ => true, "STATUS", Wait);
        Assert.Equal(["STATUS=target web01 READY=1 STOPPING=1"], NotifySocket.Lines(datagram));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/notify")]
    [InlineData("vsock:2:1234")]
    [InlineData("@")]
    public void Without_a_usable_NOTIFY_SOCKET_nothing_is_sent_and_nothing_fails(string? value)
    {
        using var notifier = new SystemdNotifier(value, NullLogger.Instance);

        notifier.Ready("listening");
        notifier.Stopping("draining", TimeSpan.FromSeconds(1));

        Assert.False(notifier.Enabled);
    }

    [Fact]
    public void A_socket_nobody_listens_on_loses_the_notice_but_not_the_service()
    {
        using var dir = new TempDirectory("fumidai-notify");
        using var notifier = new SystemdNotifier(dir.Combine("gone"), NullLogger.Instance);

        notifier.Ready("listening");
        notifier.Status("still here");

        Assert.True(notifier.Enabled);
    }
}
