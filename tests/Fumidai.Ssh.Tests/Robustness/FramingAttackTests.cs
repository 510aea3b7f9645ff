using System.Buffers.Binary;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Malformed binary packets (RFC 4253 §6) sent in the clear during the first key exchange.</summary>
public sealed class FramingAttackTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public FramingAttackTests(RobustnessHost host) => _host = host;

    /// <summary>uint32 packet_length, byte padding_length, then <paramref name="rest"/> as given.</summary>
    private static byte[] Header(uint packetLength, byte padding, int rest)
    {
        var bytes = new byte[5 + rest];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, packetLength);
        bytes[4] = padding;
        bytes[5] = (byte)MessageNumber.Ignore;
        return bytes;
    }

    private async Task SendAfterVersionAndExpectAsync(byte[] bytes, DisconnectReason reason, string logged)
    {
        await using var peer = await RawSshPeer.ConnectAsync(_host.Port);
        await peer.HandshakeAsync();
        await peer.SendAsync(bytes);
        string description = await peer.ExpectDisconnectAsync(reason);
        Assert.Contains(logged, description);
        await _host.ExpectLoggedAsync(logged);
        await _host.AssertStillServesAsync();
    }

    [Fact]
    public async Task Packet_longer_than_256_KiB()
    {
        // Only the header is sent: the length alone must be refused, before any 256 KiB buffer is filled.
        await SendAfterVersionAndExpectAsync(Header(SshLimits.MaxPacketLength + 4, 4, 11), DisconnectReason.ProtocolError, "packet length 262148 out of range");
    }

    [Fact]
    public async Task Packet_length_of_four_gigabytes()
    {
        await SendAfterVersionAndExpectAsync(Header(uint.MaxValue, 4, 11), DisconnectReason.ProtocolError, "out of range");
    }

    [Fact]
    public async Task Packet_length_not_a_multiple_of_the_block_size()
    {
        // 13 + 4 = 17 bytes: not a multiple of 8.
        await SendAfterVersionAndExpectAsync(Header(13, 4, 12), DisconnectReason.ProtocolError, "not a multiple of the cipher block size");
    }

    [Fact]
    public async Task Padding_shorter_than_four_bytes()
    {
        // 4 + 12 = 16 is aligned, but 3 bytes of padding are fewer than the 4 RFC 4253 requires.
        await SendAfterVersionAndExpectAsync(Header(12, 3, 11), DisconnectReason.ProtocolError, "invalid padding length");
    }

    [Fact]
    public async Task Padding_longer_than_the_packet()
    {
        await SendAfterVersionAndExpectAsync(Header(12, 200, 11), DisconnectReason.ProtocolError, "invalid padding length");
    }

    [Fact]
    public async Task Truncated_packet_then_close()
    {
        await using (var peer = await RawSshPeer.ConnectAsync(_host.Port))
        {
            await peer.HandshakeAsync();
            // The header announces 1,020 bytes; 100 arrive, then our side closes.
            await peer.SendAsync(Header(1020, 4, 100));
            peer.ShutdownSend();
            // Nobody is left to read a DISCONNECT; the server must simply close its side.
            await peer.ExpectClosedAsync(TimeSpan.FromSeconds(10));
        }
        await _host.AssertStillServesAsync();
    }
}
