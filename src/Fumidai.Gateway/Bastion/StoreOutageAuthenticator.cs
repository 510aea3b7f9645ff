using System.Data.Common;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// A login attempt that cannot be checked because the metadata store is unreachable is refused with a notice that says
/// so, instead of a dropped connection: nothing about the user is learnt, nothing is written, and the operator knows to
/// try again (or another node, which the load balancer picks once this one's health check fails).
/// </summary>
public sealed class StoreOutageAuthenticator(IServerAuthenticator inner, ILogger logger) : IServerAuthenticator
{
    public const string OutageNotice = "Fumidai: logins cannot be checked right now (the bastion's database is unavailable); try again in a moment.\r\n";

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        try
        {
            return await inner.AuthenticateAsync(attempt, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The driver's message names the failure, never the password; the user name is the client's text, so it is escaped.
            logger.LogWarning("refused a login attempt ({Method}) of {User} from {Remote}: metadata store unavailable: {Error}", attempt.Method,
                ControlText.Escape(attempt.UserName), context.RemoteEndPoint, ex.Message);
            return AuthenticationDecision.Failure() with { Notice = OutageNotice };
        }
    }
}
