using System.Net;
using System.Net.Sockets;

namespace Fumidai.Ssh.Server;

/// <summary>The unit a peer is counted by for fairness and throttling: an IPv4 address, or the /64 an IPv6 address lies in.</summary>
/// <remarks>
/// One IPv6 host is routinely given a whole /64, so counting single IPv6 addresses would let one machine appear as 2^64
/// peers. IPv4-mapped IPv6 addresses (a dual-stack listener) count as the IPv4 address they carry.
/// </remarks>
public static class SourceKey
{
    public static string Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The key of a socket's remote end point; anything that is not an IP end point is one source of its own.</summary>
    public static string Of(EndPoint? endPoint) => endPoint is IPEndPoint ip ? Of(ip.Address) : endPoint?.ToString() ?? "unknown";
}
