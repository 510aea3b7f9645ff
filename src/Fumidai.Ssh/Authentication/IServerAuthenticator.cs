namespace Fumidai.Ssh.Authentication;

/// <summary>The application side of server authentication: decides each attempt.</summary>
public interface IServerAuthenticator
{
    /// <summary>Decides one attempt. Called for <c>none</c> too, which should fail with the methods on offer.</summary>
    ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context, CancellationToken cancellationToken);
}
