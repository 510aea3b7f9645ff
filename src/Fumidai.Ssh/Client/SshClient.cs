using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Ssh.Client;

/// <summary>
/// The SSH client role: connects to a server, verifies its host key against pinned keys, authenticates, then runs the
/// connection's dispatch loop in the background so that sessions and direct-tcpip channels can be opened.
/// </summary>
public sealed partial class SshClient : IAsyncDisposable
{
    private readonly SshConnection _connection;
    private readonly Socket? _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _dispatch;
    private readonly Task _keepalive;
    private int _unansweredKeepalives;
    private volatile bool _keepaliveExpired;
    private int _disposed;

    private SshClient(SshTransport transport, Socket? socket, IReadOnlyList<string> methods, SshClientOptions options, ILogger logger)
    {
        _logger = logger;
        _socket = socket;
        Host = options.Host;
        Port = options.Port;
        AuthenticatedMethods = methods;
        _connection = new SshConnection(transport, openHandler: null, logger);
        _dispatch = Task.Run(RunDispatchAsync);
        _keepalive = options.KeepaliveInterval > TimeSpan.Zero
            ? Task.Run(() => RunKeepaliveAsync(options.KeepaliveInterval, Math.Max(1, options.KeepaliveCountMax)))
            : Task.CompletedTask;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The methods that succeeded, in order (more than one after partial success).</summary>
    public IReadOnlyList<string> AuthenticatedMethods { get; }

    public SshTransport Transport => _connection.Transport;

    public SshConnection Connection => _connection;

    /// <summary>The server's host key as verified in the last key exchange.</summary>
    public SshPublicKey ServerHostKey => Transport.ServerHostKey!;

    /// <summary>
    /// Completes when the connection ends: normally after <see cref="DisposeAsync"/>, faulted when the server disconnected,
    /// the connection broke, a protocol error occurred, or keepalives went unanswered.
    /// </summary>
    public Task Completion => _dispatch;

    /// <summary>Connects, verifies the host key, authenticates and starts the dispatch loop.</summary>
    /// <exception cref="SshConnectException">TCP connect refused or timed out, or no login within the login timeout.</exception>
    /// <exception cref="SshHostKeyException">The host key is not the pinned one (both fingerprints named), revoked or unknown.</exception>
    /// <exception cref="ClientAuthenticationException">No credential was accepted (methods tried and offered named).</exception>
    public static async Task<SshClient> ConnectAsync(SshClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stream = await OpenTcpAsync(options.Host, options.Port, options.ConnectTimeout, options.TcpKeepalive, cancellationToken)
            .ConfigureAwait(false);
        return await ConnectAsync(stream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the client over a stream the caller opened (a tunnel's channel, an in-memory pair); it owns the stream from here.</summary>
    /// <remarks>
    /// <see cref="SshClientOptions.Host"/> and <see cref="SshClientOptions.Port"/> still name the server for host key
    /// checks and messages. Without a socket there is no local address, so <see cref="SshClientOptions.CredentialsForConnection"/>
    /// applies only to a <see cref="NetworkStream"/>; other streams use <see cref="SshClientOptions.Credentials"/>.
    /// </remarks>
    public static async Task<SshClient> ConnectAsync(Stream stream, SshClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        var logger = options.Logger ?? NullLogger.Instance;
        var socket = (stream as NetworkStream)?.Socket;
        HostKeyVerifier verifier;
        SshTransportSettings settings;
        try
        {
            (verifier, settings) = HostKeySetup(options);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        using var login = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        login.CancelAfter(options.LoginTimeout);
        SshTransport? transport = null;
        try
        {
            var credentials = options.CredentialsForConnection is { } late && socket is not null ? late(LocalEndPoint(socket)) : options.Credentials;
            transport = await SshTransport.ConnectAsync(stream, verifier, settings, logger, login.Token).ConfigureAwait(false);
            var methods = await ClientAuthentication.RunAsync(transport, credentials, logger, login.Token).ConfigureAwait(false);
            logger.LogInformation("logged in to {Host}:{Port} as {User} by {Methods}; host key {Fingerprint}",
                options.Host, options.Port, credentials.UserName, string.Join(",", methods), transport.ServerHostKey?.Fingerprint);
            return new SshClient(transport, socket, methods, options, logger);
        }
        catch (Exception ex)
        {
            var (reason, description) = ex switch
            {
                SshProtocolException p => (p.Reason, p.Message),
                SshHostKeyException => (DisconnectReason.HostKeyNotVerifiable, "host key not verifiable"),
                ClientAuthenticationException => (DisconnectReason.NoMoreAuthMethodsAvailable, "no more authentication methods"),
                _ => (DisconnectReason.ByApplication, "connection abandoned"),
            };
            if (transport is not null)
            {
                await transport.DisconnectAsync(reason, description, CancellationToken.None).ConfigureAwait(false);
                await transport.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            if (ex is OperationCanceledException && login.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                throw new SshConnectException(options.Host, options.Port, $"no key exchange and login within {options.LoginTimeout.TotalSeconds:0.#} s", ex);
            if (ex is IOException or SshConnectionLostException)
                throw new SshConnectException(options.Host, options.Port, "connection lost during login: " + ex.Message, ex);
            throw;
        }
    }

    private static (HostKeyVerifier Verifier, SshTransportSettings Settings) HostKeySetup(SshClientOptions options)
    {
        if (options.HostKeyVerifier is { } custom) return (custom, options.Transport);
        var knownHosts = options.KnownHosts
            ?? throw new ArgumentException("host key verification is mandatory: set KnownHosts (pinned known_hosts lines) or HostKeyVerifier", nameof(options));
        var algorithms = HostKeyPolicy.PreferredAlgorithms(knownHosts, options.Host, options.Port, options.Transport.HostKeyAlgorithms);
        return (HostKeyPolicy.Verifier(knownHosts, options.Host, options.Port), WithHostKeyAlgorithms(options.Transport, algorithms));
    }

    private static SshTransportSettings WithHostKeyAlgorithms(SshTransportSettings settings, IReadOnlyList<string> hostKeyAlgorithms) => new()
    {
        KexAlgorithms = settings.KexAlgorithms,
        Ciphers = settings.Ciphers,
        Macs = settings.Macs,
        HostKeyAlgorithms = hostKeyAlgorithms,
        UserKeySignatureAlgorithms = settings.UserKeySignatureAlgorithms,
        SoftwareVersion = settings.SoftwareVersion,
        RekeyBytes = settings.RekeyBytes,
        RekeyInterval = settings.RekeyInterval,
        MaxQueuedBytesDuringKex = settings.MaxQueuedBytesDuringKex,
    };

    /// <summary>The socket's local address as the peer sees it: plain IPv4 rather than the dual-mode socket's mapped form.</summary>
    private static IPEndPoint LocalEndPoint(Socket socket)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        return local.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(local.Address.MapToIPv4(), local.Port) : local;
    }

    private static void EnableTcpKeepalive(Socket socket, TimeSpan idle)
    {
        int seconds = (int)Math.Clamp(idle.TotalSeconds, 1, 32767);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, seconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, seconds / 3));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
    }

    /// <summary>Opens the TCP connection; refusals and timeouts become <see cref="SshConnectException"/> naming host:port.</summary>
    private static async Task<NetworkStream> OpenTcpAsync(string host, int port, TimeSpan timeout, TimeSpan keepalive,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            if (keepalive > TimeSpan.Zero) EnableTcpKeepalive(socket, keepalive);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SshConnectException(host, port, $"TCP connect timed out after {timeout.TotalSeconds:0.#} s", ex);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new SshConnectException(host, port, $"TCP connect failed: {ex.SocketErrorCode} ({ex.Message})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task RunDispatchAsync()
    {
        try
        {
            await _connection.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (SshProtocolException ex) when (!_keepaliveExpired && _disposed == 0)
        {
            _logger.LogWarning("{Host}:{Port}: protocol error, disconnecting: {Message}", Host, Port, ex.Message);
            await Transport.DisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (_keepaliveExpired)
        {
            throw new SshConnectionLostException($"{Host}:{Port}: no answer to keepalives; connection given up ({ex.GetType().Name})");
        }
        catch (Exception ex) when (_disposed != 0 && ex is OperationCanceledException or IOException or ObjectDisposedException
            or SshConnectionLostException)
        {
            // We closed the connection ourselves.
        }
    }

    /// <summary>Sends <c>keepalive@openssh.com</c> each interval; gives up after <paramref name="countMax"/> unanswered (ServerAliveCountMax).</summary>
    private async Task RunKeepaliveAsync(TimeSpan interval, int countMax)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                if (Volatile.Read(ref _unansweredKeepalives) >= countMax)
                {
                    _logger.LogWarning("{Host}:{Port}: {Count} keepalives unanswered, disconnecting", Host, Port, countMax);
                    _keepaliveExpired = true;
                    await Transport.DisconnectAsync(DisconnectReason.ByApplication, "keepalive timeout").ConfigureAwait(false);
                    _stop.Cancel();
                    return;
                }
                Interlocked.Increment(ref _unansweredKeepalives);
                _ = SendKeepaliveAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendKeepaliveAsync()
    {
        try
        {
            // Any reply counts, failure included: OpenSSH answers keepalive@openssh.com with REQUEST_FAILURE.
            await _connection.SendGlobalRequestAsync("keepalive@openssh.com", wantReply: true, ReadOnlyMemory<byte>.Empty, _stop.Token).ConfigureAwait(false);
            Volatile.Write(ref _unansweredKeepalives, 0);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Opens a <c>session</c> channel; then request a pty, exec, shell or subsystem on it.</summary>
    public async Task<SshClientSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var channel = await _connection.OpenChannelAsync(new ChannelOpenRequest("session"), cancellationToken).ConfigureAwait(false);
        return new SshClientSession(channel);
    }

    /// <summary>Opens a <c>direct-tcpip</c> channel (RFC 4254 §7.2): the server connects to host:port on our behalf.</summary>
    public Task<SshChannel> OpenDirectTcpipAsync(string host, int port, string originatorAddress = "127.0.0.1", int originatorPort = 0,
        CancellationToken cancellationToken = default) =>
        _connection.OpenChannelAsync(new TcpipChannelOpenRequest("direct-tcpip", host, (uint)port, originatorAddress, (uint)originatorPort),
            cancellationToken);

    /// <summary>Runs one command, feeding <paramref name="standardInput"/> (then EOF), and collects its output and exit.</summary>
    public async Task<SshCommandResult> RunCommandAsync(string command, ReadOnlyMemory<byte> standardInput = default,
        CancellationToken cancellationToken = default)
    {
        await using var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await session.ExecAsync(command, cancellationToken).ConfigureAwait(false);
        var output = session.ReadToEndAsync(cancellationToken);
        if (!standardInput.IsEmpty) await session.WriteAsync(standardInput, cancellationToken).ConfigureAwait(false);
        await session.SendEofAsync(cancellationToken).ConfigureAwait(false);
        return await output.ConfigureAwait(false);
    }

    /// <summary>Sends DISCONNECT (by application), stops the dispatch loop and keepalives, and closes the socket.</summary>
    /// <remarks>
    /// The socket is half-closed after DISCONNECT and the server's remaining output is read until it hangs up (at most
    /// 2 s): closing with unread data would send a TCP reset that can overtake the DISCONNECT, and the target's log would
    /// show a reset instead of a clean logout.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!_dispatch.IsCompleted)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using (var message = Wire.SshWriter.ForPacket(Wire.MessageNumber.Disconnect, 64))
                {
                    message.WriteUInt32((uint)DisconnectReason.ByApplication);
                    message.WriteString("disconnected by application");
                    message.WriteString("");
                    await Transport.SendAsync(message, timeout.Token).ConfigureAwait(false);
                }
                _socket?.Shutdown(SocketShutdown.Send);
                await _dispatch.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort: the server may be gone already, or slow to hang up.
            }
        }
        _stop.Cancel();
        await Transport.DisconnectAsync(DisconnectReason.ByApplication, "disconnected by application").ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_dispatch, _keepalive).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The loop's own failure was already surfaced through Completion.
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
