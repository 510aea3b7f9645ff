using System.Text;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Bad identification lines (RFC 4253 §4.2). No binary packet can be sent yet, so the server just closes.</summary>
public sealed class VersionExchangeAttackTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public VersionExchangeAttackTests(RobustnessHost host) => _host = host;

    private async Task SendVersionBytesAndExpectCloseAsync(byte[] bytes)
    {
        await using var peer = await RawSshPeer.ConnectAsync(_host.Port);
        Assert.Equal(VersionExchange.SoftwareVersion, await peer.ReadServerVersionAsync());
        await peer.SendAsync(bytes);
        var after = await peer.ExpectClosedAsync(TimeSpan.FromSeconds(10));
        // Nothing follows our failed version line: not even a KEXINIT, which needs a version exchange first.
        Assert.Empty(after);
    }

    [Fact]
    public async Task Identification_line_too_long()
    {
        // 300 bytes without a line feed: over the 255 RFC 4253 allows, so the server stops reading.
        await SendVersionBytesAndExpectCloseAsync(Encoding.ASCII.GetBytes("SSH-2.0-" + new string('A', 292)));
        await _host.ExpectLoggedAsync("identification line too long");
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Garbage_instead_of_a_version()
    {
        // A client may not send lines before its version (only servers may): an HTTP request is refused at once.
        await SendVersionBytesAndExpectCloseAsync("GET / HTTP/1.1\r\nHost: bastion\r\n\r\n"u8.ToArray());
        await _host.ExpectLoggedAsync("expected an SSH identification line");
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Control_characters_in_the_version()
    {
        await SendVersionBytesAndExpectCloseAsync("SSH-2.0-Evil\u001b[31m\r\n"u8.ToArray());
        await _host.ExpectLoggedAsync("identification line has control characters");
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Ssh_1_5_is_not_supported()
    {
        await SendVersionBytesAndExpectCloseAsync("SSH-1.5-OldClient\r\n"u8.ToArray());
        var entry = await _host.ExpectLoggedAsync("peer does not speak SSH-2.0");
        Assert.Contains(nameof(DisconnectReason.ProtocolVersionNotSupported), entry.Message);
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Client_role_accepts_1024_banner_lines_and_refuses_1025()
    {
        // The limit on lines before the version protects the client role (servers may send banners first).
        static MemoryStream Banner(int lines)
        {
            var text = new StringBuilder();
            for (int i = 0; i < lines; i++) text.Append("banner line ").Append(i).Append("\r\n");
            text.Append("SSH-2.0-Server\r\n");
            return new MemoryStream(Encoding.ASCII.GetBytes(text.ToString()));
        }
        var (version, _) = await VersionExchange.ReceiveAsync(Banner(VersionExchange.MaxPrecedingLines), allowPrecedingLines: true, CancellationToken.None);
        Assert.Equal("SSH-2.0-Server", version);
        var error = await Assert.ThrowsAsync<SshProtocolException>(async () =>
            await VersionExchange.ReceiveAsync(Banner(VersionExchange.MaxPrecedingLines + 1), allowPrecedingLines: true, CancellationToken.None));
        Assert.Contains("too many lines", error.Message);
    }
}
