using System.Net;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Server;

/// <summary>What an <see cref="SshServer"/> listens on, which keys and algorithms it uses, and the limits of its connections.</summary>
public sealed class SshServerOptions
{
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 2222);

    public required IReadOnlyList<SshPrivateKey> HostKeys { get; init; }

    public SshTransportSettings Transport { get; init; } = new();

    public ServerAuthenticationSettings Authentication { get; init; } = new();

    /// <summary>The limits every connection runs under, before and after authentication.</summary>
    public SshConnectionLimits Limits { get; init; } = SshConnectionLimits.Default;

    /// <summary>When set, every connection must start with a PROXY protocol header from a trusted proxy; null: connections are direct.</summary>
    public Proxy.ProxyProtocolOptions? ProxyProtocol { get; init; }
}
