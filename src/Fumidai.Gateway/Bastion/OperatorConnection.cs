using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Policy;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Bastion;

/// <summary>An authenticated operator's connection: session channels, and port forwarding through the target when a role allows it.</summary>
public sealed class OperatorConnection : IChannelOpenHandler
{
    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly string _source;
    private readonly SemaphoreSlim _dialLock = new(1, 1);
    private SshClient? _forwardClient;

    public OperatorConnection(BastionContext context, SshServerSession session)
    {
        _context = context;
        _login = (BastionLogin)session.User.State!;
        _source = BastionAuthenticator.SourceOf(session.RemoteEndPoint);
        if (session.Connection is { } connection)
        {
            connection.GlobalRequestHandler = OnGlobalRequestAsync;
            // The target connection that carries forwards lives as long as the operator's.
            connection.ShutdownToken.Register(() => _ = _forwardClient?.DisposeAsync().AsTask());
        }
    }

    public async ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        if (_context.Draining.IsCancellationRequested)
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "the bastion is shutting down");
        if (request.ChannelType == "session")
        {
            return ChannelOpenDecision.Accept(channel =>
            {
                var session = new OperatorSession(_context, _login, _source, channel);
                channel.RequestHandler = session.HandleRequestAsync;
            });
        }
        if (request is TcpipChannelOpenRequest { ChannelType: "direct-tcpip" } tcp)
            return await ForwardAsync(tcp, cancellationToken).ConfigureAwait(false);
        return await DenyAsync(request.ChannelType, null, "unsupported channel type", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>-L, -D and -W: allowed only by a role naming port-forward for this target and login; carried by the target.</summary>
    private async Task<ChannelOpenDecision> ForwardAsync(TcpipChannelOpenRequest tcp, CancellationToken cancellationToken)
    {
        string destination = $"{tcp.Host}:{tcp.Port}";
        if (_login.Name.Target is not { } targetName)
            return await DenyAsync("direct-tcpip", destination, "no target in the login name", cancellationToken).ConfigureAwait(false);
        var target = await _context.Store.GetTargetAsync(targetName, cancellationToken).ConfigureAwait(false);
        var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        if (target is null)
            return await DenyAsync("direct-tcpip", destination, "unknown target", cancellationToken).ConfigureAwait(false);
        string login = _login.Name.Login ?? policy.LoginsFor(_login.User, target).FirstOrDefault() ?? "";
        if (policy.Check(_login.User, target, login, ChannelKinds.PortForward) is { } denied)
            return await DenyAsync("direct-tcpip", destination, denied, cancellationToken).ConfigureAwait(false);
        SshChannel targetChannel;
        try
        {
            var client = await ForwardClientAsync(target, login, cancellationToken).ConfigureAwait(false);
            targetChannel = await client.OpenDirectTcpipAsync(tcp.Host, (int)tcp.Port, tcp.OriginatorAddress, (int)tcp.OriginatorPort, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshChannelOpenException or SshConnectException or SshHostKeyException or ClientAuthenticationException
            or SshProtocolException or SshConnectionLostException or IOException)
        {
            await _context.Audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Failure, _login.User.Name, _source, target.Name,
                new Dictionary<string, string> { ["destination"] = destination, ["error"] = ex.Message }, cancellationToken).ConfigureAwait(false);
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.ConnectFailed, $"{destination} via {target.Name}: connection failed");
        }
        await _context.Audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Success, _login.User.Name, _source, target.Name,
            new Dictionary<string, string> { ["destination"] = destination, ["login"] = login, ["state"] = "open" }, cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Accept(channel => channel.RunAfterReply(() =>
            PortForward.RelayAsync(channel, targetChannel, _context.Audit, _login.User.Name, _source, target.Name, destination)));
    }

    private async Task<SshClient> ForwardClientAsync(Targets.TargetRecord target, string login, CancellationToken cancellationToken)
    {
        await _dialLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_forwardClient is { Completion.IsCompleted: false } open) return open;
            if (_forwardClient is not null) await _forwardClient.DisposeAsync().ConfigureAwait(false);
            _forwardClient = await _context.Dialer.DialAsync(target, login, _login.User.Name, "fwd-" + BastionContext.NewSessionId(),
                Targets.TargetUse.Forwarding, cancellationToken)
                .ConfigureAwait(false);
            return _forwardClient;
        }
        finally
        {
            _dialLock.Release();
        }
    }

    private async Task<ChannelOpenDecision> DenyAsync(string request, string? destination, string reason, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["request"] = request, ["reason"] = reason };
        if (destination is not null) details["destination"] = destination;
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target, details,
            cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "port forwarding is not allowed: " + reason);
    }

    private async ValueTask<bool> OnGlobalRequestAsync(GlobalRequest request, CancellationToken cancellationToken)
    {
        // tcpip-forward (-R) would make the bastion listen for the world: refused and audited, whatever the role.
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target,
            new Dictionary<string, string> { ["request"] = request.Name }, cancellationToken).ConfigureAwait(false);
        return false;
    }
}
