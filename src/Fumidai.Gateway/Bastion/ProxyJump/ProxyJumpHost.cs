using System.Net;
using System.Security.Cryptography;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion.ProxyJump;

/// <summary>
/// Terminates <c>ssh -J</c>: the inner SSH connection that a jump tunnels to a target ends at the bastion, which presents a
/// host certificate for the target's names (signed by the host CA) and then serves it like any operator connection, so its
/// sessions are checked, recorded and audited. A raw tunnel would carry an encrypted session the bastion cannot see.
/// </summary>
public sealed class ProxyJumpHost
{
    private readonly SshPrivateKey _hostCa;
    private readonly SshTransportSettings _transport;
    private readonly SshConnectionLimits _limits;
    private readonly ILogger _logger;

    public ProxyJumpHost(SshPrivateKey hostCa, SshTransportSettings transport, SshConnectionLimits limits, ILogger logger)
    {
        _hostCa = hostCa;
        _transport = transport;
        _limits = limits;
        _logger = logger;
    }

    /// <summary>
    /// The targets a <c>direct-tcpip</c> destination names: by name (port 22 or its own) first, then by host and port.
    /// Several targets may share a host and port (logins differ); the caller picks one the user may reach.
    /// </summary>
    public static async Task<IReadOnlyList<TargetRecord>> FindTargetsAsync(IPolicyStore store, string host, uint port, CancellationToken cancellationToken)
    {
        var targets = await store.ListTargetsAsync(cancellationToken).ConfigureAwait(false);
        return targets.Where(t => t.Name == host && (port == 22 || port == t.Port))
            .Concat(targets.Where(t => string.Equals(t.Host, host, StringComparison.OrdinalIgnoreCase) && port == t.Port))
            .Distinct().ToList();
    }

    /// <summary>The host certificate for one inner connection: a fresh key, the target's names, valid for an hour around now.</summary>
    public SshCertifiedPrivateKey HostKeyFor(TargetRecord target)
    {
        var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var builder = new SshCertificateBuilder(key.PublicKey, SshCertificateType.Host, "fumidai-proxyjump:" + target.Name)
        {
            Serial = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)),
            ValidAfter = DateTimeOffset.UtcNow.AddMinutes(-5),
            ValidBefore = DateTimeOffset.UtcNow.AddHours(1),
        };
        builder.ValidPrincipals.Add(target.Name);
        if (target.Host != target.Name) builder.ValidPrincipals.Add(target.Host);
        return new SshCertifiedPrivateKey(key, builder.Sign(_hostCa));
    }

    /// <summary>Serves the inner connection over the jump channel until it ends.</summary>
    public async Task ServeAsync(BastionContext context, SshChannel channel, BastionLogin outer, TargetRecord target, EndPoint? remote,
        Action activity)
    {
        using var hostKey = HostKeyFor(target);
        await using var server = new SshServer(new SshServerOptions
        {
            HostKeys = [hostKey],
            Transport = _transport,
            Limits = _limits,
        }, new ProxyJumpApplication(context, outer, target), _logger);
        try
        {
            await server.ServeAsync(new SshChannelStream(channel) { OnRead = activity }, remote ?? new IPEndPoint(IPAddress.None, 0)).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogWarning("ProxyJump of {User} to {Target} refused: {Message}", outer.User.Name, target.Name, ex.Message);
        }
    }
}
