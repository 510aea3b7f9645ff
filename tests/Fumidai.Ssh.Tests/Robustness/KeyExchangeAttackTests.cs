using System.Buffers.Binary;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Out-of-order and malformed key exchange messages, sent in the clear by a raw peer.</summary>
public sealed class KeyExchangeAttackTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public KeyExchangeAttackTests(RobustnessHost host) => _host = host;

    private async Task<RawSshPeer> PeerAfterVersionAsync()
    {
        var peer = await RawSshPeer.ConnectAsync(_host.Port);
        await peer.HandshakeAsync();
        return peer;
    }

    private async Task ExpectAsync(RawSshPeer peer, DisconnectReason reason, string logged)
    {
        string description = await peer.ExpectDisconnectAsync(reason);
        Assert.Contains(logged, description);
        await _host.ExpectLoggedAsync(logged);
        await _host.AssertStillServesAsync();
    }

    /// <summary>Our client KEXINIT with its first name-list (kex algorithms) length replaced.</summary>
    private static byte[] KexInitWithFirstListLength(uint length)
    {
        var payload = RawSshPeer.ClientKexInit();
        // message number (1) + cookie (16), then the kex algorithms name-list.
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(17), length);
        return payload;
    }

    [Fact]
    public async Task Name_list_length_beyond_the_message()
    {
        await using var peer = await PeerAfterVersionAsync();
        await peer.SendPacketAsync(KexInitWithFirstListLength(0xfffffff0));
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "string length exceeds message");
    }

    [Fact]
    public async Task Name_list_longer_than_allowed()
    {
        await using var peer = await PeerAfterVersionAsync();
        // A 70,000-byte kex list, well-formed but over the 64 KiB name-list cap.
        var names = string.Join(',', Enumerable.Range(0, 7000).Select(i => $"k{i:D8}"));
        using var writer = new SshWriter();
        writer.WriteMessageNumber(MessageNumber.KexInit);
        writer.WriteRaw(new byte[16]);
        writer.WriteString(names);
        for (int i = 0; i < 9; i++) writer.WriteString("none");
        writer.WriteBoolean(false);
        writer.WriteUInt32(0);
        await peer.SendPacketAsync(writer.WrittenSpan.ToArray());
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "string longer than allowed");
    }

    [Fact]
    public async Task Too_many_names_in_a_list()
    {
        await using var peer = await PeerAfterVersionAsync();
        var payload = RawSshPeer.ClientKexInit();
        // Replace the kex list with 1,000 one-letter names (2 KiB, within the byte cap but over the name count cap).
        using var writer = new SshWriter();
        writer.WriteRaw(payload.AsSpan(0, 17));
        writer.WriteString(string.Join(',', Enumerable.Repeat("x", 1000)));
        int firstListEnd = 17 + 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(17));
        writer.WriteRaw(payload.AsSpan(firstListEnd));
        await peer.SendPacketAsync(writer.WrittenSpan.ToArray());
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "too many names");
    }

    [Fact]
    public async Task First_message_is_not_KEXINIT()
    {
        await using var peer = await PeerAfterVersionAsync();
        // IGNORE first: strict kex (and this server in any case) accepts nothing before the peer's KEXINIT.
        await peer.SendPacketAsync([(byte)MessageNumber.Ignore, 0, 0, 0, 0]);
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "first message was not KEXINIT");
    }

    [Fact]
    public async Task Ignore_during_strict_initial_kex()
    {
        await using var peer = await PeerAfterVersionAsync();
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit(strict: true));
        await peer.SendPacketAsync([(byte)MessageNumber.Ignore, 0, 0, 0, 0]);
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "not allowed during strict key exchange");
    }

    [Fact]
    public async Task Second_KEXINIT_during_a_key_exchange()
    {
        await using var peer = await PeerAfterVersionAsync();
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "second KEXINIT during a key exchange");
    }

    [Fact]
    public async Task KEXINIT_flood()
    {
        await using var peer = await PeerAfterVersionAsync();
        // 500 KEXINITs in one burst (~500 KiB): the second one ends the connection; the rest is never parsed.
        var packet = new MemoryStream();
        var one = RawSshPeer.ClientKexInit();
        var random = new Random(3);
        for (int i = 0; i < 500; i++) packet.Write(Framing.TestPackets.Build(Fumidai.Ssh.Framing.NoneCipher.Instance, one, random));
        var send = peer.SendAsync(packet.ToArray());
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "second KEXINIT during a key exchange");
        // The server closed with our data unread, so the sender may see a reset: either ending is fine.
        await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(send.IsCompleted, "the flood's sender was left blocked");
    }

    [Fact]
    public async Task NEWKEYS_before_the_kex_reply()
    {
        await using var peer = await PeerAfterVersionAsync();
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
        await peer.SendPacketAsync([(byte)MessageNumber.NewKeys]);
        await ExpectAsync(peer, DisconnectReason.ProtocolError, "NEWKEYS before the key exchange finished");
    }

    [Fact]
    public async Task Kex_init_with_a_short_ephemeral_key()
    {
        await using var peer = await PeerAfterVersionAsync();
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
        // mlkem768x25519-sha256 is negotiated and wants 1,216 bytes; 31 bytes must fail the exchange, not the process.
        using var writer = new SshWriter();
        writer.WriteMessageNumber(MessageNumber.KexEcdhInit);
        writer.WriteBinary(new byte[31]);
        await peer.SendPacketAsync(writer.WrittenSpan.ToArray());
        await ExpectAsync(peer, DisconnectReason.KeyExchangeFailed, "C_INIT must be 1216 bytes");
    }

    [Fact]
    public async Task No_common_algorithm()
    {
        await using var peer = await PeerAfterVersionAsync();
        var kexInit = new Fumidai.Ssh.Transport.KexInitMessage(["diffie-hellman-group1-sha1"], ["ssh-dss"], ["3des-cbc"], ["3des-cbc"],
            ["hmac-md5"], ["hmac-md5"], ["none"], ["none"], false);
        await peer.SendPacketAsync(kexInit.Encode());
        await ExpectAsync(peer, DisconnectReason.KeyExchangeFailed, "no common key exchange algorithm");
    }
}
