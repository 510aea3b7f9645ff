using Fumidai.Gateway.Audit;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Bastion;

/// <summary>An authenticated operator's connection: accepts session channels, refuses and audits forwarding.</summary>
public sealed class OperatorConnection : IChannelOpenHandler
{
    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly string _source;

    public OperatorConnection(BastionContext context, SshServerSession session)
    {
        _context = context;
        _login = (BastionLogin)session.User.State!;
        _source = BastionAuthenticator.SourceOf(session.RemoteEndPoint);
        if (session.Connection is { } connection) connection.GlobalRequestHandler = OnGlobalRequestAsync;
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
        // Port forwarding (-L, -D, -W) through the bastion is not offered: refused and audited.
        var details = new Dictionary<string, string> { ["request"] = request.ChannelType };
        if (request is TcpipChannelOpenRequest tcp) details["destination"] = $"{tcp.Host}:{tcp.Port}";
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target, details,
            cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "port forwarding is not allowed");
    }

    private async ValueTask<bool> OnGlobalRequestAsync(GlobalRequest request, CancellationToken cancellationToken)
    {
        // tcpip-forward (-R) and anything else an operator asks of the bastion itself is refused and audited.
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target,
            new Dictionary<string, string> { ["request"] = request.Name }, cancellationToken).ConfigureAwait(false);
        return false;
    }
}
