using System.Net;
using Fumidai.Ssh.Server.Proxy;

namespace Fumidai.Gateway.Configuration;

/// <summary>Turns <c>Ssh:ProxyProtocol</c> and <c>Ssh:TrustedProxies</c> (validated already) into the listener's PROXY settings.</summary>
public static class TrustedProxies
{
    /// <summary>Null when the listener takes direct connections.</summary>
    public static ProxyProtocolOptions? From(SshOptions ssh)
    {
        if (!ssh.ProxyProtocol) return null;
        var networks = ssh.TrustedProxies.Select(p => IPNetwork.TryParse(p, out var network)
            ? network
            : new IPNetwork(IPAddress.Parse(p), IPAddress.Parse(p).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)).ToArray();
        return new ProxyProtocolOptions { TrustedProxies = networks };
    }
}
