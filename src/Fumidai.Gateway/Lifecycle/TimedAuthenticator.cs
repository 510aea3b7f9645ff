using Fumidai.Ssh.Authentication;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>Measures how long each authentication decision takes (store look-ups, Argon2, TOTP), failed or not.</summary>
public sealed class TimedAuthenticator(IServerAuthenticator inner) : IServerAuthenticator
{
    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        long start = FumidaiMetrics.Now();
        try
        {
            return await inner.AuthenticateAsync(attempt, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // "none" only asks which methods are offered: timing it would flatter the figures.
            if (attempt is not NoneAttempt)
                FumidaiMetrics.RecordAuthentication(System.Diagnostics.Stopwatch.GetElapsedTime(start), attempt.Method);
        }
    }
}
