using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Attacks after the key exchange: corrupted ciphertext, unknown messages and channel-layer abuse (RFC 4254).</summary>
public sealed class ConnectionAttackTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public ConnectionAttackTests(RobustnessHost host) => _host = host;

    private async Task ExpectAsync(ScriptedClient client, DisconnectReason reason, string logged)
    {
        Assert.Equal(reason, await client.ExpectDisconnectAsync());
        await _host.ExpectLoggedAsync(logged);
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Bad_MAC_after_kex()
    {
        CorruptingStream? wire = null;
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password, wrap: s => wire = new CorruptingStream(s));
        // Flip one byte inside the body of the next encrypted packet (past the 4-byte length, which would fail differently).
        wire!.CorruptNextWrite(12);
        await client.SendAsync(MessageNumber.Ignore, w => w.WriteBinary(new byte[32]));
        await ExpectAsync(client, DisconnectReason.MacError, "message authentication failed");
    }

    [Fact]
    public async Task Unknown_message_after_auth_gets_UNIMPLEMENTED_and_the_connection_goes_on()
    {
        var clientLog = new CapturingLogger();
        await using var client = await ScriptedClient.ConnectAsync(_host.Port, clientLog);
        Assert.True(await client.TryPasswordAsync("robust", RobustnessHost.Password));
        // Strict kex reset our sequence numbers at NEWKEYS: SERVICE_REQUEST was 0, USERAUTH_REQUEST 1, this one is 2.
        await client.SendAsync((MessageNumber)199, w => w.WriteUInt32(0xdeadbeef));
        var (output, status) = await client.ExecAsync("write 10");
        Assert.Equal((0u, 10), (status, output.Length));
        var unimplemented = await clientLog.WaitForAsync(e => e.Message.StartsWith("peer does not implement our packet"), TimeSpan.FromSeconds(5));
        Assert.Contains(unimplemented.State, kv => kv.Key == "Sequence" && kv.Value is uint seq && seq == 2);
        _host.Log.AssertNoErrors();
    }

    [Fact]
    public async Task Message_for_an_unknown_channel()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        await client.SendAsync(MessageNumber.ChannelData, w =>
        {
            w.WriteUInt32(4242);
            w.WriteBinary("hello"u8);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "message for unknown channel 4242");
    }

    [Fact]
    public async Task Window_overflow()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        var channel = await client.OpenSessionAsync();
        Assert.Equal(SshConnectionLimits.Default.WindowSize, channel.RemoteWindow);
        // No command runs on the channel, so nobody consumes the data and the server never credits the window.
        var chunk = new byte[channel.RemoteMaxPacket];
        for (uint sent = 0; sent < channel.RemoteWindow; sent += (uint)chunk.Length)
        {
            await client.SendAsync(MessageNumber.ChannelData, w =>
            {
                w.WriteUInt32(channel.RemoteId);
                w.WriteBinary(chunk);
            });
        }
        // Exactly the window is legal: a keepalive round trip shows the connection is still up.
        await client.SendAsync(MessageNumber.GlobalRequest, w =>
        {
            w.WriteString("keepalive@openssh.com");
            w.WriteBoolean(true);
        });
        await client.ReceiveSkippingAsync(MessageNumber.RequestFailure);
        // One byte more is not.
        await client.SendAsync(MessageNumber.ChannelData, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteBinary([1]);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "peer exceeded the channel window");
    }

    [Fact]
    public async Task Data_larger_than_the_maximum_packet()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        var channel = await client.OpenSessionAsync();
        await client.SendAsync(MessageNumber.ChannelData, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteBinary(new byte[channel.RemoteMaxPacket + 1]);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "channel data larger than the maximum packet");
    }

    [Fact]
    public async Task Channel_data_after_EOF()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        var channel = await client.OpenSessionAsync();
        await client.SendAsync(MessageNumber.ChannelEof, w => w.WriteUInt32(channel.RemoteId));
        await client.SendAsync(MessageNumber.ChannelData, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteBinary("late"u8);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "channel data after EOF");
    }

    [Fact]
    public async Task Window_adjust_overflow()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        var channel = await client.OpenSessionAsync();
        // Our window (1 MiB) plus 2^32 - 1 exceeds the 32-bit window RFC 4254 §5.2 allows.
        await client.SendAsync(MessageNumber.ChannelWindowAdjust, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteUInt32(uint.MaxValue);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "channel window overflow");
    }

    [Fact]
    public async Task Malformed_channel_request()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        var channel = await client.OpenSessionAsync();
        // pty-req whose terminal-modes string claims 4 GiB.
        await client.SendAsync(MessageNumber.ChannelRequest, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteString("pty-req");
            w.WriteBoolean(true);
            w.WriteString("xterm");
            for (int i = 0; i < 4; i++) w.WriteUInt32(80);
            w.WriteUInt32(uint.MaxValue);
        });
        await ExpectAsync(client, DisconnectReason.ProtocolError, "string length exceeds message");
    }

    [Fact]
    public async Task Kex_message_outside_a_key_exchange()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        await client.SendAsync(MessageNumber.KexEcdhInit, w => w.WriteBinary(new byte[32]));
        await ExpectAsync(client, DisconnectReason.ProtocolError, "key exchange message without KEXINIT");
    }

    [Fact]
    public async Task Channel_opens_beyond_the_limit_are_refused_and_the_connection_goes_on()
    {
        await using var client = await ScriptedClient.LoginAsync(_host.Port, RobustnessHost.Password);
        // The server's default limit is 64 channels per connection.
        for (int i = 0; i < 64; i++) await client.OpenSessionAsync();
        await client.SendAsync(MessageNumber.ChannelOpen, w =>
        {
            w.WriteString("session");
            w.WriteUInt32(1000);
            w.WriteUInt32(1 << 20);
            w.WriteUInt32(32 * 1024);
        });
        var failure = await client.ReceiveSkippingAsync(MessageNumber.ChannelOpenFailure);
        var reader = new SshReader(failure);
        reader.ReadMessageNumber();
        Assert.Equal(1000u, reader.ReadUInt32());
        Assert.Equal((uint)ChannelOpenFailureReason.ResourceShortage, reader.ReadUInt32());
        // The refused open costs nothing else: a keepalive round trip still works.
        await client.SendAsync(MessageNumber.GlobalRequest, w =>
        {
            w.WriteString("keepalive@openssh.com");
            w.WriteBoolean(true);
        });
        await client.ReceiveSkippingAsync(MessageNumber.RequestFailure);
        _host.Log.AssertNoErrors();
    }
}
