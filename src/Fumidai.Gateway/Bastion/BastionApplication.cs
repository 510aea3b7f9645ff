using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Bastion;

/// <summary>The bastion as an SSH server application: two-factor authentication, then operator connections.</summary>
public sealed class BastionApplication : ISshServerApplication
{
    private readonly IServerAuthenticator _authenticator;
    private readonly BastionContext _context;

    public BastionApplication(IServerAuthenticator authenticator, BastionContext context)
    {
        _authenticator = authenticator;
        _context = context;
    }

    public ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken) => _authenticator.AuthenticateAsync(attempt, context, cancellationToken);

    /// <summary>Agents of targets without an inbound port; null when this node takes none.</summary>
    public Agents.AgentServices? Agents { get; init; }

    public IChannelOpenHandler CreateChannelHandler(SshServerSession session) =>
        Agents?.TryCreateHandler(session) ?? new OperatorConnection(_context, session);

    public void OnSessionEnded(SshServerSession session, Exception? error) => Agents?.Ended(session, error);
}
