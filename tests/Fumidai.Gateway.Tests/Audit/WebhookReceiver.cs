using System.Net;
using System.Net.Sockets;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>An HTTP receiver of alerts on 127.0.0.1 (HttpListener): keeps each POST's body and signature header.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(byte[] Body, string? Signature)> _received = [];
    private readonly Task _loop;
    private int _failNext;

    public WebhookReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        Url = $"http://127.0.0.1:{Port}/alerts/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url { get; }

    public IReadOnlyList<(byte[] Body, string? Signature)> Received
    {
        get
        {
            lock (_received) return [.. _received];
        }
    }

    /// <summary>The next <paramref name="count"/> requests get 503, as a receiver that is briefly down.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                context.Response.StatusCode = 503;
            }
            else
            {
                lock (_received) _received.Add((body.ToArray(), context.Request.Headers["X-Fumidai-Signature"]));
                context.Response.StatusCode = 200;
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        // Close alone: after Stop, Close removes the prefixes a second time, and the managed listener binds the port again to do
        // it, which fails when another process has taken the port in between ("Address already in use").
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
