using System.Collections.Concurrent;
using Fumidai.Agent;
using Fumidai.Gateway.Audit;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Agents;

/// <summary>The bastion's side of agents, as the SSH server application sees it: their logins, their connections, and when those end.</summary>
public sealed class AgentServices(AgentAuthenticator authenticator, AgentRegistry registry, AgentHostKeyReports reports, IAuditLog audit, ILogger logger)
{
    private readonly ConcurrentDictionary<SshServerSession, AgentConnection> _connections = new();

    public AgentRegistry Registry => registry;

    /// <summary>Routes agent user names to the agent authenticator and every other name to <paramref name="operators"/>.</summary>
    public IServerAuthenticator Route(IServerAuthenticator operators) => new Router(operators, authenticator);

    /// <summary>The channel handler of an agent's connection, or null when <paramref name="session"/> is an operator's.</summary>
    public IChannelOpenHandler? TryCreateHandler(SshServerSession session)
    {
        if (session.User.State is not AgentLogin login) return null;
        var connection = new AgentConnection(registry, reports, audit, logger, session, login);
        _connections[session] = connection;
        return connection;
    }

    public void Ended(SshServerSession session, Exception? error)
    {
        if (!_connections.TryRemove(session, out var connection)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await connection.EndedAsync(error).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogError("recording an agent's disconnect failed: {Message}", ex.Message);
            }
        });
    }

    private sealed class Router(IServerAuthenticator operators, AgentAuthenticator agents) : IServerAuthenticator
    {
        public ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
            CancellationToken cancellationToken) =>
            AgentProtocol.TargetOf(attempt.UserName) is { } target
                ? agents.AuthenticateAsync(target, attempt, context, cancellationToken)
                : operators.AuthenticateAsync(attempt, context, cancellationToken);
    }
}
