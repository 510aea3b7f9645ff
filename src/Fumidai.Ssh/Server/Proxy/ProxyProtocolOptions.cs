using System.Net;

namespace Fumidai.Ssh.Server.Proxy;

/// <summary>Connections come through a load balancer that announces each client with a PROXY protocol header.</summary>
public sealed class ProxyProtocolOptions
{
    /// <summary>Peers allowed to send a header; a connection from anywhere else is closed.</summary>
    public required IReadOnlyList<IPNetwork> TrustedProxies { get; init; }

    /// <summary>How long a trusted peer has to send the whole header.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public bool IsTrusted(EndPoint? peer)
    {
        if (peer is not IPEndPoint ip) return false;
        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return TrustedProxies.Any(n => n.Contains(address));
    }
}
