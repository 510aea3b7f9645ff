namespace Fumidai.Gateway.Lifecycle;

/// <summary>Stop requests (SIGTERM, Ctrl-C) in order: the first starts a drain, any later one cuts what still runs.</summary>
public sealed class StopRequests : IDisposable
{
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _cut = new();
    private int _count;

    /// <summary>Cancelled by the first request: stop accepting and let running sessions finish.</summary>
    public CancellationToken Drain => _drain.Token;

    /// <summary>Cancelled by the second request: an operator who asks twice does not want to wait for the drain.</summary>
    public CancellationToken Cut => _cut.Token;

    /// <summary>How many stop requests arrived.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Called from a signal handler: never blocks on what the tokens wake up.</summary>
    public void Request()
    {
        var source = Interlocked.Increment(ref _count) == 1 ? _drain : _cut;
        // Cancel runs the tokens' callbacks on the calling thread; the signal thread should not run the drain's code.
        _ = Task.Run(() =>
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A request that arrives while the process is already past its drain has nothing left to stop.
            }
        });
    }

    public void Dispose()
    {
        _drain.Dispose();
        _cut.Dispose();
    }
}
