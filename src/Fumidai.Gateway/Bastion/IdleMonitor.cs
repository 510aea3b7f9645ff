using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// Ends a session after a period without operator input (PCI DSS 8.2.8) or after a maximum duration, warning first:
/// a minute before the limit, or at half the limit when that is shorter.
/// </summary>
/// <remarks>Only bytes the operator sends count as activity: never output, keepalives or window changes.</remarks>
public sealed class IdleMonitor
{
    private readonly TimeSpan _idleLimit;
    private readonly TimeSpan? _maxSession;
    private readonly TimeProvider _time;
    private readonly long _started;
    private long _lastInput;

    public IdleMonitor(TimeSpan idleLimit, TimeSpan? maxSession, TimeProvider? time = null)
    {
        _idleLimit = idleLimit;
        _maxSession = maxSession;
        _time = time ?? TimeProvider.System;
        _started = _lastInput = _time.GetTimestamp();
    }

    /// <summary>While this answers true the monitor counts as active (a connection with a session running is not idle).</summary>
    /// <remarks>It is read at each deadline only: whoever stops being busy calls <see cref="Touch"/> so idleness counts from then.</remarks>
    public Func<bool>? Busy { get; init; }

    /// <summary>Operator input arrived.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastInput, _time.GetTimestamp());

    public static TimeSpan WarningLead(TimeSpan limit) => limit > TimeSpan.FromMinutes(2) ? TimeSpan.FromMinutes(1) : limit / 2;

    /// <summary>Waits until a limit is reached; calls <paramref name="warn"/> before each. Returns the end reason.</summary>
    public async Task<SessionEndReason> WaitAsync(Func<string, Task> warn, CancellationToken cancellationToken)
    {
        bool idleWarned = false, maxWarned = false;
        while (true)
        {
            if (Busy?.Invoke() == true) Touch();
            var idleFor = _time.GetElapsedTime(Interlocked.Read(ref _lastInput));
            var running = _time.GetElapsedTime(_started);
            if (idleFor >= _idleLimit) return SessionEndReason.IdleTimeout;
            if (_maxSession is { } max && running >= max) return SessionEndReason.MaxSession;
            var idleWarnAt = _idleLimit - WarningLead(_idleLimit);
            if (idleFor < idleWarnAt) idleWarned = false;
            else if (!idleWarned)
            {
                idleWarned = true;
                await warn($"session idle: it will be closed in {Format(_idleLimit - idleFor)} unless you type something").ConfigureAwait(false);
            }
            var next = idleFor < idleWarnAt ? idleWarnAt - idleFor : _idleLimit - idleFor;
            if (_maxSession is { } limit)
            {
                var maxWarnAt = limit - WarningLead(limit);
                if (!maxWarned && running >= maxWarnAt)
                {
                    maxWarned = true;
                    await warn($"maximum session time reached in {Format(limit - running)}").ConfigureAwait(false);
                }
                var untilMax = running < maxWarnAt ? maxWarnAt - running : limit - running;
                if (untilMax < next) next = untilMax;
            }
            // Sleep until the next deadline only: input in between moves the deadline, which the next wake-up reads
            // (and so re-arms the warning). Waking every second cost each idle session a timer tick a second.
            await Task.Delay(next > TimeSpan.Zero ? next : TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A duration as operators read it in notices: minutes from a minute on, else seconds.</summary>
    public static string Format(TimeSpan value) =>
        value >= TimeSpan.FromMinutes(1) ? $"{Math.Ceiling(value.TotalMinutes):0} min" : $"{Math.Max(1, Math.Ceiling(value.TotalSeconds)):0} s";
}
