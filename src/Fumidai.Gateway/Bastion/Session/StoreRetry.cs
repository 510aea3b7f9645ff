using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>
/// A write about a session that already ran (its end, its audit events) retried until the metadata store takes it, with
/// backoff: a database restarting must not leave a finished session "running" or lose its audit event.
/// </summary>
internal static class StoreRetry
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    // About ten minutes at the longest wait: past that the outage is an operator's matter, and node recovery marks the row.
    internal const int Attempts = 125;

    public static async Task RunAsync(Func<Task> write, string what, ILogger logger, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var wait = FirstWait;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await write().ConfigureAwait(false);
                if (attempt > 1) logger.LogInformation("{What}: stored after {Attempts} attempts", what, attempt);
                return;
            }
            catch (Exception ex) when (ex is DbException or TimeoutException && attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == 1) logger.LogWarning("{What}: metadata store unavailable, trying again until it is back: {Error}", what, ex.Message);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks));
            }
        }
    }
}
