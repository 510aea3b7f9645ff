using Fumidai.Agent;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Agents;

/// <summary>
/// An agent's authenticated connection: it may say hello (version and its sshd's host keys) and answer keepalives; every
/// channel it tries to open and every other request is refused and audited, so an agent can reach nothing through the bastion.
/// </summary>
public sealed class AgentConnection : IChannelOpenHandler
{
    private readonly AgentRegistry _registry;
    private readonly AgentHostKeyReports _reports;
    private readonly IAuditLog _audit;
    private readonly ILogger _logger;
    private readonly SshServerSession _session;
    private readonly AgentLogin _login;
    private readonly string _source;
    private AgentLink? _link;
    private int _hello;

    public AgentConnection(AgentRegistry registry, AgentHostKeyReports reports, IAuditLog audit, ILogger logger, SshServerSession session, AgentLogin login)
    {
        _registry = registry;
        _reports = reports;
        _audit = audit;
        _logger = logger;
        _session = session;
        _login = login;
        _source = BastionAuthenticator.SourceOf(session.RemoteEndPoint);
        session.Connection!.GlobalRequestHandler = OnGlobalRequestAsync;
    }

    public async ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        string type = new(request.ChannelType.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        await RefusedAsync($"the agent tried to open a '{type}' channel", cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "agents cannot open channels");
    }

    private async ValueTask<bool> OnGlobalRequestAsync(GlobalRequest request, CancellationToken cancellationToken)
    {
        switch (request.Name)
        {
            case "keepalive@openssh.com":
                return false;
            case AgentProtocol.HelloRequest when Interlocked.Exchange(ref _hello, 1) == 0:
                (string Version, IReadOnlyList<string> HostKeys) hello;
                try
                {
                    hello = AgentProtocol.DecodeHello(request.Data);
                }
                catch (FormatException ex)
                {
                    await RefusedAsync("malformed hello: " + ex.Message, cancellationToken).ConfigureAwait(false);
                    return false;
                }
                _link = new AgentLink(_login.Target, _login.Key, _session.Connection!, hello.Version, _source, _registry.Now);
                await _registry.AddAsync(_link, cancellationToken).ConfigureAwait(false);
                await _reports.ReportAsync(_login.Target, hello.HostKeys, _source, cancellationToken).ConfigureAwait(false);
                return true;
            default:
                string name = new(request.Name.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
                await RefusedAsync($"the agent sent a '{name}' request", cancellationToken).ConfigureAwait(false);
                return false;
        }
    }

    private async Task RefusedAsync(string what, CancellationToken cancellationToken)
    {
        _logger.LogWarning("agent {Target} from {Source}: refused: {What}", _login.Target, _source, what);
        await _audit.RecordAsync(AuditTypes.AgentRefused, AuditOutcome.Failure, source: _source, target: _login.Target,
            details: new Dictionary<string, string> { ["reason"] = what }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Called when the connection ended: the link goes from the registry.</summary>
    public Task EndedAsync(Exception? error) =>
        _link is { } link ? _registry.RemoveAsync(link, error?.Message) : Task.CompletedTask;
}
