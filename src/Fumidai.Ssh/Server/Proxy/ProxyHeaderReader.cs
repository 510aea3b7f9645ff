using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Fumidai.Ssh.Server.Proxy;

/// <summary>A PROXY protocol header that is malformed, truncated or too long; the connection is closed.</summary>
public sealed class ProxyProtocolException(string message) : Exception(message);

/// <summary>
/// Reads a PROXY protocol header (v1 text or v2 binary) from the start of a connection, and not one byte past it: the
/// SSH version line follows at once. Every length is bounded before anything is read.
/// </summary>
public static class ProxyHeaderReader
{
    /// <summary>The longest v1 line the specification allows, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>The most address and TLV bytes of a v2 header we accept (a load balancer's TLVs are far smaller).</summary>
    public const int MaxV2Length = 1024;

    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static readonly byte[] V1Prefix = "PROXY "u8.ToArray();

    /// <summary>The client's address and port, or null when the proxy sent it for itself (v2 LOCAL, v1 UNKNOWN).</summary>
    public static async Task<IPEndPoint?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var start = new byte[V1Prefix.Length];
        await ReadExactlyAsync(stream, start, cancellationToken).ConfigureAwait(false);
        if (start.AsSpan().SequenceEqual(V1Prefix)) return await ReadV1Async(stream, cancellationToken).ConfigureAwait(false);
        if (start.AsSpan().SequenceEqual(V2Signature.AsSpan(0, start.Length))) return await ReadV2Async(stream, cancellationToken).ConfigureAwait(false);
        throw new ProxyProtocolException("no PROXY protocol header (wrong signature)");
    }

    private static async Task<IPEndPoint?> ReadV1Async(Stream stream, CancellationToken cancellationToken)
    {
        // One byte at a time: the line has no length field, and reading ahead would swallow the client's SSH version line.
        var line = new byte[MaxV1Length - V1Prefix.Length];
        var one = new byte[1];
        for (int length = 0; length < line.Length; length++)
        {
            await ReadExactlyAsync(stream, one, cancellationToken).ConfigureAwait(false);
            line[length] = one[0];
            if (length > 0 && line[length - 1] == '\r' && line[length] == '\n') return ParseV1(line.AsSpan(0, length - 1));
        }
        throw new ProxyProtocolException($"PROXY v1 header longer than {MaxV1Length} bytes");
    }

    /// <summary>Parses what follows "PROXY " up to the CR: "TCP4|TCP6 SRC DST SPORT DPORT" or "UNKNOWN ...".</summary>
    public static IPEndPoint? ParseV1(ReadOnlySpan<byte> fields)
    {
        foreach (byte b in fields)
        {
            if (b is < 0x20 or > 0x7E) throw new ProxyProtocolException("PROXY v1 header has a byte that is not printable ASCII");
        }
        string[] parts = Encoding.ASCII.GetString(fields).Split(' ');
        if (parts[0] == "UNKNOWN") return null;
        if (parts.Length != 5 || parts[0] is not ("TCP4" or "TCP6"))
            throw new ProxyProtocolException("PROXY v1 header is not TCP4/TCP6 with two addresses and two ports");
        var family = parts[0] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(parts[1], out var source) || source.AddressFamily != family
            || !IPAddress.TryParse(parts[2], out var destination) || destination.AddressFamily != family)
            throw new ProxyProtocolException("PROXY v1 header has an address that does not match its family");
        return new IPEndPoint(source, Port(parts[3]));
    }

    private static int Port(string text)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0')
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new ProxyProtocolException("PROXY v1 header has an invalid port");
        return port;
    }

    private static async Task<IPEndPoint?> ReadV2Async(Stream stream, CancellationToken cancellationToken)
    {
        var fixedPart = new byte[16];
        V2Signature.AsSpan(0, V1Prefix.Length).CopyTo(fixedPart);
        await ReadExactlyAsync(stream, fixedPart.AsMemory(V1Prefix.Length), cancellationToken).ConfigureAwait(false);
        if (!fixedPart.AsSpan(0, 12).SequenceEqual(V2Signature)) throw new ProxyProtocolException("no PROXY protocol header (wrong signature)");
        int length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.AsSpan(14));
        if (length > MaxV2Length) throw new ProxyProtocolException($"PROXY v2 header of {length} bytes is longer than {MaxV2Length}");
        var rest = new byte[length];
        await ReadExactlyAsync(stream, rest, cancellationToken).ConfigureAwait(false);
        return ParseV2(fixedPart[12], fixedPart[13], rest);
    }

    /// <summary>Parses a v2 header from its version/command byte, family/protocol byte and address block.</summary>
    public static IPEndPoint? ParseV2(byte versionCommand, byte familyProtocol, ReadOnlySpan<byte> addresses)
    {
        if (versionCommand >> 4 != 2) throw new ProxyProtocolException("PROXY v2 header has a version other than 2");
        switch (versionCommand & 0x0F)
        {
            case 0x0: return null; // LOCAL: the proxy's own connection (a health check).
            case 0x1: break;
            default: throw new ProxyProtocolException("PROXY v2 header has an unknown command");
        }
        switch (familyProtocol)
        {
            case 0x11 when addresses.Length >= 12:
                return new IPEndPoint(new IPAddress(addresses[..4]), BinaryPrimitives.ReadUInt16BigEndian(addresses[8..]));
            case 0x21 when addresses.Length >= 36:
                return new IPEndPoint(new IPAddress(addresses[..16]), BinaryPrimitives.ReadUInt16BigEndian(addresses[32..]));
            case 0x11 or 0x21:
                throw new ProxyProtocolException("PROXY v2 header is too short for its addresses");
            default:
                throw new ProxyProtocolException("PROXY v2 header is not TCP over IPv4 or IPv6");
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            throw new ProxyProtocolException("connection closed inside the PROXY protocol header");
        }
    }
}
