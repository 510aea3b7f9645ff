using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Targets;

/// <summary>Connects to a target with the client role: pinned host key, and a credential the operator never sees.</summary>
/// <remarks>
/// The default credential is a fresh key with a certificate from the bastion's user CA, valid for minutes, whose key id
/// <c>fumidai:USER:SESSION</c> appears in the target's sshd log, so shared logins stay attributable (PCI DSS 8.2.2).
/// </remarks>
public sealed class TargetDialer : ITargetDialer
{
    private readonly SecretProtector _secrets;
    private readonly SshPrivateKey _userCa;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _certificateLifetime;
    private readonly string _sourceAddress;
    private readonly ILogger _logger;
    // Which agent connection carries each client dialled through one; entries go with their client.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SshClient, Agents.AgentForward> _forwards = [];

    /// <param name="certificateSourceAddress">
    /// The <c>source-address</c> bound into certificates: empty for none, <see cref="AutomaticSourceAddress"/> for the local
    /// address of each connection to the target, or addresses/CIDRs (comma-separated) as the target sees the bastion behind NAT.
    /// </param>
    public TargetDialer(SecretProtector secrets, SshPrivateKey userCa, TimeSpan connectTimeout, TimeSpan certificateLifetime, ILogger logger,
        string certificateSourceAddress = "")
    {
        _sourceAddress = certificateSourceAddress.Trim();
        _secrets = secrets;
        _userCa = userCa;
        _connectTimeout = connectTimeout;
        _certificateLifetime = certificateLifetime;
        _logger = logger;
    }

    /// <summary>Where targets without an address are reached: their agents' connections to this node; null when there are none.</summary>
    public Agents.IAgentTunnels? Agents { get; init; }

    /// <summary>Idle time before the kernel probes a direct target's socket; zero for none.</summary>
    public TimeSpan TcpKeepalive { get; init; }

    /// <summary>Interval of SSH keepalives to the target's sshd; zero for none.</summary>
    public TimeSpan SshKeepalive { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The setting that binds each certificate to the local address of its own TCP connection.</summary>
    public const string AutomaticSourceAddress = "auto";

    /// <summary>The known_hosts text pinning a target's host keys.</summary>
    public static string KnownHostsText(TargetRecord target)
    {
        string name = target.ViaAgent ? target.Name : target.Port == 22 ? target.Host : $"[{target.Host}]:{target.Port}";
        return string.Join('\n', target.HostKeys.Select(k => name + " " + k)) + "\n";
    }

    /// <exception cref="SshConnectException">Unreachable or handshake failed.</exception>
    /// <exception cref="SshHostKeyException">The target's host key differs from the pinned one.</exception>
    /// <exception cref="ClientAuthenticationException">The target refused the credential.</exception>
    public async Task<SshClient> DialAsync(TargetRecord target, string login, string user, string sessionId, TargetUse use,
        CancellationToken cancellationToken)
    {
        if (target.HostKeys.Count == 0)
            throw new InvalidOperationException(target.ViaAgent
                ? $"target {target.Name} has no pinned host key yet; confirm what its agent reported with `fumidai target confirm-agent {target.Name}`"
                : $"target {target.Name} has no pinned host key; run `fumidai target add --scan` first");
        if (target.ViaAgent) return await DialThroughAgentAsync(target, login, user, sessionId, use, cancellationToken).ConfigureAwait(false);
        // The certificate is signed once the TCP connection is up, so "auto" can name the address the target sees.
        SshPrivateKey? credential = null;
        try
        {
            var options = new SshClientOptions
            {
                Host = target.Host,
                Port = target.Port,
                Credentials = new ClientCredentials(login),
                CredentialsForConnection = local =>
                {
                    credential = CreateCredential(target, login, user, sessionId, use, SourceAddressFor(local.Address));
                    return new ClientCredentials(login) { Keys = [credential] };
                },
                KnownHosts = KnownHosts.Parse(KnownHostsText(target)),
                ConnectTimeout = _connectTimeout,
                LoginTimeout = _connectTimeout * 2,
                TcpKeepalive = TcpKeepalive,
                KeepaliveInterval = SshKeepalive,
                Logger = _logger,
            };
            return await SshClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            credential?.Dispose();
        }
    }

    /// <summary>
    /// The same client over a channel of the target's agent: pinned host key and certificate as for any target. The certificate
    /// carries no automatic source address, since the sshd sees the agent's local connection, not this node; a configured list applies.
    /// </summary>
    private async Task<SshClient> DialThroughAgentAsync(TargetRecord target, string login, string user, string sessionId, TargetUse use,
        CancellationToken cancellationToken)
    {
        var agents = Agents ?? throw new SshConnectException(target.Name, 0, "this node takes no agent connections");
        using var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        opening.CancelAfter(_connectTimeout);
        Agents.AgentForward forward;
        try
        {
            forward = await agents.OpenForwardAsync(target.Name, opening.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SshConnectException(target.Name, 0, $"its agent did not answer within {_connectTimeout.TotalSeconds:0.#} s", ex);
        }
        using var credential = CreateCredential(target, login, user, sessionId, use, _sourceAddress == AutomaticSourceAddress ? null : SourceAddressFor(IPAddress.None));
        var options = new SshClientOptions
        {
            Host = target.Name,
            Port = 22,
            Credentials = new ClientCredentials(login) { Keys = [credential] },
            KnownHosts = KnownHosts.Parse(KnownHostsText(target)),
            ConnectTimeout = _connectTimeout,
            LoginTimeout = _connectTimeout * 2,
            KeepaliveInterval = SshKeepalive,
            Logger = _logger,
        };
        var client = await SshClient.ConnectAsync(forward.Stream, options, cancellationToken).ConfigureAwait(false);
        _forwards.AddOrUpdate(client, forward);
        return client;
    }

    public Task<string?> AgentLostAsync(SshClient client, TimeSpan grace) =>
        _forwards.TryGetValue(client, out var forward) ? forward.LostBecauseAsync(grace) : Task.FromResult<string?>(null);

    private string? SourceAddressFor(IPAddress local) => _sourceAddress switch
    {
        "" => null,
        AutomaticSourceAddress => local.ToString(),
        _ => _sourceAddress,
    };

    private SshPrivateKey CreateCredential(TargetRecord target, string login, string user, string sessionId, TargetUse use, string? sourceAddress)
    {
        if (target.EncryptedPrivateKey is { } stored)
        {
            var text = _secrets.Unprotect(stored, "target-key:" + target.Name);
            try
            {
                return SshPrivateKey.Parse(Encoding.UTF8.GetString(text), null, out _);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(text);
            }
        }
        var key = SshPrivateKey.Generate("ssh-ed25519");
        var certificate = TargetCertificate.Issue(key.PublicKey, _userCa, login, $"fumidai:{user}:{sessionId}", _certificateLifetime, use, sourceAddress);
        return new SshCertifiedPrivateKey(key, certificate);
    }
}
