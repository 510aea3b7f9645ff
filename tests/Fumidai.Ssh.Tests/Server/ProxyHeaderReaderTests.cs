using System.Net;
using System.Text;
using Fumidai.Ssh.Server.Proxy;

namespace Fumidai.Ssh.Tests.Server;

/// <summary>PROXY protocol v1 and v2 headers: the client's address, nothing read past the header, and every malformed form refused.</summary>
public sealed class ProxyHeaderReaderTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static readonly byte[] SshLine = "SSH-2.0-OpenSSH_9.2p1\r\n"u8.ToArray();

    /// <summary>A stream that counts what was read from it, to prove the reader stops at the header's end.</summary>
    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        public string Rest() => Encoding.ASCII.GetString(ToArray().AsSpan((int)Position));
    }

    private static byte[] V2(byte command, byte family, byte[] addresses, int? declaredLength = null) =>
        [.. Signature, command, family, (byte)((declaredLength ?? addresses.Length) >> 8), (byte)(declaredLength ?? addresses.Length), .. addresses];

    private static async Task<(IPEndPoint? Source, string Remainder)> ReadAsync(byte[] header)
    {
        var stream = new CountingStream([.. header, .. SshLine]);
        var source = await ProxyHeaderReader.ReadAsync(stream, CancellationToken.None);
        return (source, stream.Rest());
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 51234 2222\r\n", "192.0.2.7:51234")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 65535 2222\r\n", "[2001:db8::7]:65535")]
    public async Task A_v1_header_names_the_client_and_leaves_the_ssh_line_unread(string header, string expected)
    {
        var (source, rest) = await ReadAsync(Encoding.ASCII.GetBytes(header));
        Assert.Equal(IPEndPoint.Parse(expected), source);
        Assert.Equal("SSH-2.0-OpenSSH_9.2p1\r\n", rest);
    }

    [Fact]
    public async Task A_v1_unknown_header_names_no_client()
    {
        var (source, rest) = await ReadAsync("PROXY UNKNOWN\r\n"u8.ToArray());
        Assert.Null(source);
        Assert.StartsWith("SSH-2.0", rest);
    }

    [Fact]
    public async Task A_v2_header_with_a_tlv_names_the_client_and_leaves_the_ssh_line_unread()
    {
        byte[] addresses = [192, 0, 2, 9, 10, 0, 0, 1, 0xC8, 0x3A, 0x08, 0xAE, /* TLV: type 4 (NOOP), length 3 */ 0x04, 0x00, 0x03, 1, 2, 3];
        var (source, rest) = await ReadAsync(V2(0x21, 0x11, addresses));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.9"), 0xC83A), source);
        Assert.Equal("SSH-2.0-OpenSSH_9.2p1\r\n", rest);
    }

    [Fact]
    public async Task A_v2_ipv6_header_names_the_client_and_a_local_one_names_none()
    {
        var addresses = new byte[36];
        IPAddress.Parse("2001:db8::9").GetAddressBytes().CopyTo(addresses, 0);
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(addresses, 16);
        addresses[32] = 0x01;
        addresses[33] = 0xBB;
        Assert.Equal(IPEndPoint.Parse("[2001:db8::9]:443"), (await ReadAsync(V2(0x21, 0x21, addresses))).Source);
        Assert.Null((await ReadAsync(V2(0x20, 0x00, []))).Source);
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "wrong signature", SshLine },
        { "almost the v2 signature", [.. Signature[..11], 0x0B, 0x21, 0x11, 0, 0] },
        { "truncated v1", "PROXY TCP4 192.0.2.7 10.0"u8.ToArray() },
        { "truncated v2 addresses", V2(0x21, 0x11, [192, 0, 2, 9, 10], declaredLength: 12)[..21] },
        { "v1 family mismatch", "PROXY TCP4 2001:db8::1 10.0.0.1 1 2\r\n"u8.ToArray() },
        { "v1 port out of range", "PROXY TCP4 192.0.2.7 10.0.0.1 65536 2222\r\n"u8.ToArray() },
        { "v1 port with a leading zero", "PROXY TCP4 192.0.2.7 10.0.0.1 0123 2222\r\n"u8.ToArray() },
        { "v1 missing field", "PROXY TCP4 192.0.2.7 10.0.0.1 5\r\n"u8.ToArray() },
        { "v1 control byte", "PROXY TCP4 192.0.2.7\t10.0.0.1 5 6\r\n"u8.ToArray() },
        { "v2 version 1", V2(0x11, 0x11, new byte[12]) },
        { "v2 unknown command", V2(0x22, 0x11, new byte[12]) },
        { "v2 udp", V2(0x21, 0x12, new byte[12]) },
        { "v2 unix socket", V2(0x21, 0x31, new byte[216]) },
        { "v2 too short for ipv6", V2(0x21, 0x21, new byte[20]) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_header_is_refused(string what, byte[] header)
    {
        var stream = new MemoryStream(header);
        var ex = await Assert.ThrowsAsync<ProxyProtocolException>(() => ProxyHeaderReader.ReadAsync(stream, CancellationToken.None));
        Assert.False(string.IsNullOrEmpty(ex.Message), what);
    }

    [Fact]
    public async Task An_oversized_v1_line_is_refused_after_at_most_107_bytes()
    {
        var stream = new CountingStream(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 500) + "\r\n"));
        var ex = await Assert.ThrowsAsync<ProxyProtocolException>(() => ProxyHeaderReader.ReadAsync(stream, CancellationToken.None));
        Assert.Contains("longer than 107", ex.Message);
        Assert.True(stream.Position <= ProxyHeaderReader.MaxV1Length, $"read {stream.Position} bytes");
    }

    [Fact]
    public async Task An_oversized_v2_length_is_refused_before_its_body_is_read()
    {
        var stream = new CountingStream([.. V2(0x21, 0x11, [], declaredLength: 0xFFFF), .. new byte[2000]]);
        var ex = await Assert.ThrowsAsync<ProxyProtocolException>(() => ProxyHeaderReader.ReadAsync(stream, CancellationToken.None));
        Assert.Contains("65535", ex.Message);
        Assert.Equal(16, stream.Position);
    }

    [Fact]
    public async Task A_header_that_never_completes_ends_with_the_timeout()
    {
        var (client, server) = InMemoryDuplexStream.CreatePair(1024);
        await client.WriteAsync("PROXY TCP4 "u8.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProxyHeaderReader.ReadAsync(server, timeout.Token));
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("::ffff:10.0.0.5", true)]
    [InlineData("10.0.1.5", false)]
    [InlineData("2001:db8::5", false)]
    public void Only_peers_in_the_trusted_networks_may_send_a_header(string peer, bool trusted)
    {
        var options = new ProxyProtocolOptions { TrustedProxies = [IPNetwork.Parse("10.0.0.0/24")] };
        Assert.Equal(trusted, options.IsTrusted(new IPEndPoint(IPAddress.Parse(peer), 40000)));
    }
}
