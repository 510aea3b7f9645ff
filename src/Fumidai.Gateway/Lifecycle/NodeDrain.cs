using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>How a drain ended: every session on its own, or some were cut (by the deadline or a second request).</summary>
public sealed record DrainResult(int SessionsAtStart, int SessionsCut, bool CutEarly, int SessionsLeft);

/// <summary>
/// The drain of a stopping node, once it no longer accepts connections: running sessions are told and may finish until
/// the deadline; then, or at once on a second stop request, the ones still running are cut and given a bounded time to
/// finalise their recordings.
/// </summary>
public sealed class NodeDrain
{
    /// <summary>What a cut session needs to close its channel and seal and sign its recording.</summary>
    public static readonly TimeSpan DefaultFinaliseTimeout = TimeSpan.FromSeconds(10);

    private readonly SessionRegistry _sessions;
    private readonly ILogger _logger;
    private readonly SystemdNotifier? _notifier;

    public NodeDrain(SessionRegistry sessions, ILogger logger, SystemdNotifier? notifier = null)
    {
        _sessions = sessions;
        _logger = logger;
        _notifier = notifier;
    }

    /// <summary>How long running sessions may go on after the drain starts.</summary>
    public required TimeSpan Timeout { get; init; }

    public TimeSpan FinaliseTimeout { get; init; } = DefaultFinaliseTimeout;

    /// <summary>
    /// Cancels <paramref name="draining"/>, waits, and cancels <paramref name="cut"/> when the deadline passes. The caller
    /// links <paramref name="cut"/> to the second stop request, which ends the wait at once.
    /// </summary>
    public async Task<DrainResult> RunAsync(CancellationTokenSource draining, CancellationTokenSource cut)
    {
        int atStart = _sessions.Count;
        var deadline = DateTimeOffset.UtcNow + Timeout;
        string until = deadline.ToString("HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _logger.LogInformation("draining: no new logins; {Count} session(s) may run until {Deadline} ({Timeout}), then they are cut; "
            + "a second SIGTERM cuts them now", atStart, until, Duration.Format(Timeout));
        _notifier?.Stopping($"draining: {atStart} session(s) may run until {until}", Timeout + FinaliseTimeout);
        await draining.CancelAsync().ConfigureAwait(false);

        bool early = cut.IsCancellationRequested;
        if (!early && await WhenSessionsEndAsync(Timeout, cut.Token).ConfigureAwait(false))
        {
            _logger.LogInformation("drained: every session ended on its own");
            return new DrainResult(atStart, 0, false, 0);
        }
        early = cut.IsCancellationRequested;
        int cutting = _sessions.Count;
        if (early)
            _logger.LogWarning("second stop request: cutting {Count} session(s) now", cutting);
        else
            _logger.LogWarning("drain timeout ({Timeout}) reached: cutting {Count} session(s)", Duration.Format(Timeout), cutting);
        _notifier?.Status($"cutting {cutting} session(s)");
        await cut.CancelAsync().ConfigureAwait(false);
        if (!await WhenSessionsEndAsync(FinaliseTimeout, CancellationToken.None).ConfigureAwait(false))
        {
            _logger.LogWarning("{Count} session(s) did not finish their recordings within {Timeout} of the cut; the next start marks them interrupted",
                _sessions.Count, Duration.Format(FinaliseTimeout));
        }
        return new DrainResult(atStart, cutting, early, _sessions.Count);
    }

    /// <summary>True once no session runs; false when <paramref name="limit"/> passes or <paramref name="cancel"/> fires first.</summary>
    private async Task<bool> WhenSessionsEndAsync(TimeSpan limit, CancellationToken cancel)
    {
        var until = DateTimeOffset.UtcNow + limit;
        // A session that was being set up when the drain began registers late: look again until none is left.
        while (_sessions.Count > 0)
        {
            var left = until - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero || cancel.IsCancellationRequested) return false;
            var all = _sessions.WhenAllAsync(System.Threading.Timeout.InfiniteTimeSpan);
            try
            {
                await all.WaitAsync(left, cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception) when (all.IsCompleted)
            {
                // A session that failed has ended all the same; its own code logged and recorded why.
            }
            // Its removal from the registry runs in a continuation: give it the chance before counting again.
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
        return true;
    }
}
