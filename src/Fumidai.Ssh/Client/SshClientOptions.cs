using System.Net;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Fumidai.Ssh.Client;

/// <summary>Where to connect, how to trust the server, and how to log in.</summary>
/// <remarks>Host key verification is mandatory: give <see cref="KnownHosts"/> or a custom <see cref="HostKeyVerifier"/>.</remarks>
public sealed class SshClientOptions
{
    public required string Host { get; init; }

    public int Port { get; init; } = 22;

    public required ClientCredentials Credentials { get; init; }

    /// <summary>
    /// Called once the TCP connection is up, before key exchange, with its local end point; the credentials it returns
    /// replace <see cref="Credentials"/>. Lets a certificate be bound to the address the server will see.
    /// </summary>
    public Func<IPEndPoint, ClientCredentials>? CredentialsForConnection { get; init; }

    /// <summary>Pinned keys and CAs for the host, as OpenSSH known_hosts lines. An unknown host is refused (no trust on first use).</summary>
    public KnownHosts? KnownHosts { get; init; }

    /// <summary>Replaces the known_hosts check; must throw to refuse a key.</summary>
    public HostKeyVerifier? HostKeyVerifier { get; init; }

    /// <summary>Time allowed for the TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for version exchange, key exchange and authentication together.</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Interval between <c>keepalive@openssh.com</c> requests; zero or negative disables them.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Unanswered keepalives after which the connection is given up (OpenSSH ServerAliveCountMax).</summary>
    public int KeepaliveCountMax { get; init; } = 3;

    /// <summary>
    /// Idle time after which the kernel probes the TCP connection (then every third of it, three times); zero leaves the
    /// socket without keepalive. Unlike <see cref="KeepaliveInterval"/> it costs the process nothing, but it cannot see a
    /// server process that hangs while its host still answers.
    /// </summary>
    public TimeSpan TcpKeepalive { get; init; }

    /// <summary>Algorithms; host key algorithms are reordered per connection to prefer the types pinned for the host.</summary>
    public SshTransportSettings Transport { get; init; } = new() { Ciphers = Framing.CipherAlgorithms.ClientDefaultNames };

    public ILogger? Logger { get; init; }
}
