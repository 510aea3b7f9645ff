using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Server.Proxy;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Ssh.Server;

/// <summary>A TCP listener that runs the server role for each connection: transport, authentication, connection layer.</summary>
/// <remarks>Bad input ends only the connection that sent it, with a DISCONNECT where possible and one log line.</remarks>
public sealed class SshServer : IAsyncDisposable
{
    private readonly SshServerOptions _options;
    private readonly ISshServerApplication _application;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private Socket? _listener;
    private Task? _acceptLoop;
    private readonly PreAuthenticationPool _unauthenticated;

    public SshServer(SshServerOptions options, ISshServerApplication application, ILogger? logger = null)
    {
        _options = options;
        _application = application;
        _logger = logger ?? NullLogger.Instance;
        _unauthenticated = new PreAuthenticationPool(options.Limits.MaxUnauthenticatedConnections, options.Limits.MaxQueuedConnections);
    }

    /// <summary>The bound address (with the real port when 0 was asked).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>Connections currently open, authenticated or not.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections) return _connections.Count;
        }
    }

    public void Start()
    {
        _options.Limits.Validate();
        var listener = new Socket(_options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(_options.EndPoint);
        listener.Listen(512);
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                // StopAccepting closed the listener.
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning("accept failed: {Error}", ex.SocketErrorCode);
                continue;
            }
            if (_options.ProxyProtocol is { } proxy)
            {
                // The header is read on the connection's own task: a slow proxy must not hold up the accept loop.
                Track(AcceptProxiedAsync(socket, proxy));
                continue;
            }
            // Admission may wait for a slot: on the connection's own task, so the accept loop goes on.
            Track(AdmitAsync(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint, null, Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>Takes an unauthenticated slot for the connection (waiting in the queue when all are taken), then serves it.</summary>
    private async Task AdmitAsync(NetworkStream stream, EndPoint? remote, EndPoint? proxy, long accepted)
    {
        PreAuthenticationPool.Slot? slot, evicted;
        try
        {
            (slot, evicted) = await _unauthenticated.AdmitAsync(SourceKey.Of(remote), _options.Limits.LoginGraceTime, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (slot is null)
        {
            var waited = Stopwatch.GetElapsedTime(accepted);
            if (waited >= _options.Limits.LoginGraceTime)
                _logger.LogWarning("closing {Remote}{Via}: no unauthenticated slot came free within the login grace time", remote, Via(proxy));
            else
                _logger.LogWarning("refusing {Remote}{Via}: too many unauthenticated connections, and as many waiting as allowed", remote, Via(proxy));
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (evicted is not null)
            _logger.LogWarning("too many unauthenticated connections: closing the oldest from {Source} to admit {Remote}", evicted.Source, remote);
        stream.Socket.NoDelay = true;
        await HandleConnectionAsync(stream, remote, slot, accepted).ConfigureAwait(false);
    }

    private static string Via(EndPoint? proxy) => proxy is null ? "" : $" (via {proxy})";

    /// <summary>Reads the PROXY header of a connection from a trusted proxy, then serves it as coming from the client it names.</summary>
    private async Task AcceptProxiedAsync(Socket socket, ProxyProtocolOptions proxy)
    {
        long accepted = Stopwatch.GetTimestamp();
        await Task.Yield();
        var peer = socket.RemoteEndPoint;
        if (!proxy.IsTrusted(peer))
        {
            _logger.LogWarning("closing {Remote}: not a trusted proxy, and PROXY protocol is required", peer);
            socket.Dispose();
            return;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        EndPoint remote;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            timeout.CancelAfter(proxy.HeaderTimeout);
            try
            {
                remote = await ProxyHeaderReader.ReadAsync(stream, timeout.Token).ConfigureAwait(false) ?? peer!;
            }
            catch (Exception ex) when (ex is ProxyProtocolException or IOException or OperationCanceledException)
            {
                string reason = ex is OperationCanceledException ? $"no complete PROXY header within {proxy.HeaderTimeout.TotalSeconds:0.#} s" : ex.Message;
                _logger.LogWarning("closing {Remote}: {Reason}", peer, reason);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }
        await AdmitAsync(stream, remote, peer, accepted).ConfigureAwait(false);
    }

    /// <summary>Serves one connection over a stream the caller accepted (an in-memory pair, a tunnel's channel); it owns the stream.</summary>
    /// <remarks>The same limits apply as to accepted sockets: the unauthenticated pool, login grace time, authentication attempts.</remarks>
    public Task ServeAsync(Stream stream, EndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options.Limits.Validate();
        if (_unauthenticated.TryAdmit(SourceKey.Of(remote), out _) is not { } slot)
        {
            stream.Dispose();
            throw new InvalidOperationException("too many unauthenticated connections");
        }
        var task = HandleConnectionAsync(stream, remote, slot, Stopwatch.GetTimestamp());
        Track(task);
        return task;
    }

    private void Track(Task connection)
    {
        lock (_connections) _connections.Add(connection);
        _ = connection.ContinueWith(t =>
        {
            lock (_connections) _connections.Remove(t);
        }, TaskScheduler.Default);
    }

    /// <param name="accepted">When the connection was accepted: the login grace time counts from there, time spent waiting for a slot included.</param>
    private async Task HandleConnectionAsync(Stream stream, EndPoint? remote, PreAuthenticationPool.Slot slot, long accepted)
    {
        await Task.Yield();
        bool authenticated = false;
        SshTransport? transport = null;
        SshServerSession? session = null;
        SshConnection? connection = null;
        Exception? error = null;
        // Ends the unauthenticated phase on the grace time, or when the pool evicts this connection for another source.
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, slot.Evicted);
        var left = _options.Limits.LoginGraceTime - Stopwatch.GetElapsedTime(accepted);
        grace.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        try
        {
            transport = SshTransport.CreateServer(stream, _options.HostKeys, _options.Transport, _logger);
            await transport.HandshakeAsync(grace.Token).ConfigureAwait(false);
            var deadline = Stopwatch.GetTimestamp() + (long)(left.TotalSeconds * Stopwatch.Frequency);
            var context = new AuthenticationContext(remote, transport.RemoteVersion)
            {
                Succeeding = () => _unauthenticated.Release(slot),
                GraceExtender = extra =>
                {
                    long wanted = Stopwatch.GetTimestamp() + (long)(extra.TotalSeconds * Stopwatch.Frequency);
                    if (wanted <= Interlocked.Read(ref deadline)) return;
                    Interlocked.Exchange(ref deadline, wanted);
                    try
                    {
                        grace.CancelAfter(extra);
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                },
            };
            var user = await ServerAuthentication.RunAsync(transport, _application, _options.Authentication, _options.Limits.MaxAuthAttempts, context, _logger, grace.Token).ConfigureAwait(false);
            authenticated = true;
            _unauthenticated.Release(slot);
            session = new SshServerSession(transport, user, remote);
            // Disposed in finally, not here: disposing closes the transport, and the catch blocks below must still be
            // able to send DISCONNECT.
            connection = new SshConnection(transport, null, _logger, _options.Limits);
            session.Connection = connection;
            // The handler is created once the connection exists, so it can also take global requests.
            connection.OpenHandler = _application.CreateChannelHandler(session);
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (SshProtocolException ex)
        {
            error = ex;
            _logger.LogWarning("{Remote}: protocol error, disconnecting: {Reason}: {Message}", remote, ex.Reason, ex.Message);
            if (transport is not null) await transport.DisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!authenticated && slot.Evicted.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            if (transport is not null) await transport.DisconnectAsync(DisconnectReason.TooManyConnections, "too many unauthenticated connections").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!authenticated && grace.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            _logger.LogWarning("{Remote}: login grace time exceeded", remote);
            if (transport is not null) await transport.DisconnectAsync(DisconnectReason.ByApplication, "login grace time exceeded").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            if (transport is not null) await transport.DisconnectAsync(DisconnectReason.ByApplication, "server shutting down").ConfigureAwait(false);
        }
        catch (SshConnectionLostException ex)
        {
            _logger.LogDebug("{Remote}: {Message}", remote, ex.Message);
        }
        catch (IOException ex)
        {
            error = ex;
            _logger.LogDebug("{Remote}: connection lost: {Message}", remote, ex.Message);
        }
        catch (Exception ex)
        {
            // Anything unexpected still ends only this connection.
            error = ex;
            _logger.LogError(ex, "{Remote}: connection failed", remote);
            if (transport is not null) await transport.DisconnectAsync(DisconnectReason.ByApplication, "internal error").ConfigureAwait(false);
        }
        finally
        {
            _unauthenticated.Release(slot);
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            else await stream.DisposeAsync().ConfigureAwait(false);
            if (session is not null) _application.OnSessionEnded(session, error);
        }
    }

    /// <summary>Closes the listener: no new connections, while existing ones go on (the first step of a drain).</summary>
    public void StopAccepting() => _listener?.Dispose();

    /// <summary>Stops accepting and ends every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (_connections) running = _connections.ToArray();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }
}
