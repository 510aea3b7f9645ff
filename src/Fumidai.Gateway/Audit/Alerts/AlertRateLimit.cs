namespace Fumidai.Gateway.Audit.Alerts;

/// <summary>
/// At most a given number of alerts per window; what is over the limit is counted by kind and, when the window ends,
/// becomes one summary, so a storm of events costs a bounded number of alerts.
/// </summary>
public sealed class AlertRateLimit(int perWindow, TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<string, int> _suppressed = new(StringComparer.Ordinal);
    private DateTimeOffset _windowStart = time.GetUtcNow();
    private int _sent;

    /// <summary>Sequence numbers of the first and last suppressed events (for the summary's deduplication key).</summary>
    public (long First, long Last) SuppressedRange { get; private set; }

    /// <summary>True when an alert may go now; otherwise it is counted for the summary.</summary>
    public bool TryTake(string kind, long sequence)
    {
        if (_sent < perWindow)
        {
            _sent++;
            return true;
        }
        _suppressed[kind] = _suppressed.GetValueOrDefault(kind) + 1;
        SuppressedRange = (SuppressedRange.First == 0 ? sequence : SuppressedRange.First, sequence);
        return false;
    }

    /// <summary>When the window has ended: what it suppressed (possibly nothing), and a new window starts.</summary>
    public IReadOnlyDictionary<string, int>? EndWindowIfDue()
    {
        if (time.GetUtcNow() - _windowStart < window) return null;
        var suppressed = new Dictionary<string, int>(_suppressed, StringComparer.Ordinal);
        _suppressed.Clear();
        _sent = 0;
        _windowStart = time.GetUtcNow();
        return suppressed;
    }

    /// <summary>Clears the range once its summary is sent.</summary>
    public void SummarySent() => SuppressedRange = (0, 0);
}
