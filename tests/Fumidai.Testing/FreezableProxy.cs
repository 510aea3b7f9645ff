using System.Net;
using System.Net.Sockets;

namespace Fumidai.Testing;

/// <summary>A one-connection TCP relay on 127.0.0.1 that can stop forwarding, to play a server that went silent or is slow to answer.</summary>
public sealed class FreezableProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _thawed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _frozen;

    public FreezableProxy(int targetPort)
    {
        _listener.Start();
        _ = RelayAsync(targetPort);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>From now on nothing more is forwarded in either direction; the sockets stay open.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Forwards again, starting with what was held back.</summary>
    public void Thaw() => _thawed.TrySetResult();

    private async Task RelayAsync(int targetPort)
    {
        try
        {
            using var client = await _listener.AcceptSocketAsync(_stop.Token);
            using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, targetPort, _stop.Token);
            await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await from.ReceiveAsync(buffer, _stop.Token);
            if (read == 0) break;
            if (_frozen) await _thawed.Task.WaitAsync(_stop.Token);
            await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
        }
        to.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
