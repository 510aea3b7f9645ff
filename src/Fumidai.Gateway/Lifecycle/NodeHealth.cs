namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// Whether this node should get new connections: a load balancer asks <c>/healthz</c>, which is ready only while the node
/// listens, is not draining and its metadata store answers.
/// </summary>
public sealed class NodeHealth
{
    /// <summary>How long the store may take to answer before the node counts as unhealthy.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private volatile string _state = "starting";
    private volatile Func<CancellationToken, Task>? _storeProbe;

    /// <summary>The store's check (a trivial query); set once the store is open.</summary>
    public void Ready(Func<CancellationToken, Task> storeProbe)
    {
        _storeProbe = storeProbe;
        _state = "ready";
    }

    /// <summary>From the first stop request on: new connections belong elsewhere, even while sessions still run here.</summary>
    public void Draining() => _state = "draining";

    public string State => _state;

    /// <summary>Ready or not, with a short reason for the response body (never a secret: no connection string, no exception text).</summary>
    public async Task<(bool Ready, string Reason)> CheckAsync(CancellationToken cancellationToken)
    {
        string state = _state;
        if (state != "ready" || _storeProbe is not { } probe) return (false, state);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "metadata store not answering");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (false, "metadata store unavailable");
        }
        // A drain may have begun while the store was asked.
        return _state == "ready" ? (true, "ready") : (false, _state);
    }
}
