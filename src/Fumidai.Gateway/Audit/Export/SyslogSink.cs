using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>
/// Sends audit events to a syslog receiver: RFC 5424 messages, octet-counted (RFC 5425 framing) over TCP or TLS, one
/// datagram each over UDP (no delivery guarantee there). TLS checks the receiver's name and, with a CA file, that the
/// pinned CA issued its certificate and no other.
/// </summary>
/// <remarks>
/// A TCP write succeeds once the bytes are in our socket buffer, even if the receiver has just gone. The receiver never
/// sends us anything, so a reader on the connection sees its close or reset; a batch counts as delivered only if the
/// connection is still open a moment after it was written, otherwise it is sent again on a new connection.
/// </remarks>
public sealed class SyslogSink : IAuditSink
{
    private const int MaxMessageBytes = 64 * 1024;
    private readonly SyslogAddress _address;
    private readonly X509Certificate2Collection? _pinnedCa;
    private readonly string _hostname;
    private readonly ILogger _logger;
    private readonly int _processId = Environment.ProcessId;
    private Connection? _connection;
    private UdpClient? _udp;

    public SyslogSink(SyslogAddress address, string? caFile, string hostname, ILogger logger)
    {
        _address = address;
        if (caFile is not null)
        {
            // A bundle may hold several CAs (a root and the intermediate that issues receivers' certificates).
            _pinnedCa = [];
            _pinnedCa.ImportFromPemFile(caFile);
            if (_pinnedCa.Count == 0) throw new Configuration.ConfigurationException($"Audit:Syslog:CaFile '{caFile}' holds no certificate");
        }
        _hostname = hostname;
        _logger = logger;
    }

    public string Name => "syslog";

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a written batch must leave the connection open before it counts as delivered.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromMilliseconds(150);

    public async Task SendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        if (_address.Transport == SyslogTransport.Udp)
        {
            await SendDatagramsAsync(batch, cancellationToken).ConfigureAwait(false);
            return;
        }
        var frames = new MemoryStream();
        foreach (var e in batch)
        {
            byte[] message = Bounded(SyslogMessage.Format(e, _hostname, _processId));
            frames.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
            frames.Write(message);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteTimeout);
        try
        {
            if (_connection is { Closed: true }) await DropAsync().ConfigureAwait(false);
            _connection ??= await ConnectAsync(timeout.Token).ConfigureAwait(false);
            await _connection.Stream.WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), timeout.Token).ConfigureAwait(false);
            await _connection.Stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            await Task.Delay(SettleTime, timeout.Token).ConfigureAwait(false);
            if (_connection.Closed) throw new IOException($"{_address} closed the connection");
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or OperationCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            await DropAsync().ConfigureAwait(false);
            throw new IOException(ex is OperationCanceledException ? $"{_address} did not take the events in time" : ex.Message, ex);
        }
    }

    private async Task SendDatagramsAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        if (_udp is null)
        {
            _udp = new UdpClient(_address.Host.Contains(':') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            _udp.Connect(_address.Host, _address.Port);
        }
        foreach (var e in batch)
            await _udp.SendAsync(Bounded(SyslogMessage.Format(e, _hostname, _processId)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An oversized event (a very long command) is cut rather than lost; receivers cut far earlier anyway.</summary>
    private static byte[] Bounded(byte[] message) => message.Length <= MaxMessageBytes ? message : message[..MaxMessageBytes];

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        try
        {
            await client.ConnectAsync(_address.Host, _address.Port, cancellationToken).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (_address.Transport == SyslogTransport.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _address.Host,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Accept(certificate, errors),
                }, cancellationToken).ConfigureAwait(false);
            }
            _logger.LogInformation("audit export connected to {Address}", _address);
            return new Connection(client, stream);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The name must match; the chain must end at the pinned CA when one is set, else at a CA the system trusts.</summary>
    private bool Accept(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            _logger.LogWarning("syslog receiver {Address} refused: {Errors}", _address, errors);
            return false;
        }
        if (_pinnedCa is null)
        {
            if (errors == SslPolicyErrors.None) return true;
            _logger.LogWarning("syslog receiver {Address} refused: {Errors}", _address, errors);
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_pinnedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        if (chain.Build(presented)) return true;
        _logger.LogWarning("syslog receiver {Address} refused: its certificate ({Subject}, issued by {Issuer}) does not chain to the CA of Audit:Syslog:CaFile ({Status})",
            _address, presented.Subject, presented.Issuer, string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        return false;
    }

    private async Task DropAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _udp?.Dispose();
        foreach (var ca in _pinnedCa ?? []) ca.Dispose();
    }

    /// <summary>One connection and the reader that notices when the receiver closes or resets it.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reader;
        private volatile bool _closed;

        public Connection(TcpClient client, Stream stream)
        {
            _client = client;
            Stream = stream;
            _reader = WatchAsync();
        }

        public Stream Stream { get; }

        public bool Closed => _closed;

        private async Task WatchAsync()
        {
            // Whatever the receiver sends (TLS session tickets, a close_notify) is read and dropped; only the end matters.
            var buffer = new byte[4096];
            try
            {
                while (await Stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException
                or InvalidOperationException or NotSupportedException)
            {
            }
            _closed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await Stream.DisposeAsync().ConfigureAwait(false);
            _client.Dispose();
            await _reader.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
