using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// Tells systemd how the service is doing (<c>Type=notify</c>): one datagram per state change to the unix socket named
/// by <c>NOTIFY_SOCKET</c>. Without that variable, or when the socket cannot be reached, it does nothing: the service
/// must run the same outside systemd, and a lost notice is not worth stopping the bastion for.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(1);
    private readonly ILogger _logger;
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly Socket? _socket;
    private readonly Lock _lock = new();
    private bool _warned;

    /// <param name="socketPath">An absolute path, or <c>@name</c> for a socket in the abstract namespace; null or empty for none.</param>
    public SystemdNotifier(string? socketPath, ILogger logger)
    {
        _logger = logger;
        if (string.IsNullOrEmpty(socketPath)) return;
        if (EndPointOf(socketPath) is not { } endPoint)
        {
            // systemd also offers vsock addresses for virtual machines; a bastion runs as a plain service, so those are not spoken.
            _logger.LogWarning("{Variable} '{Value}' is neither an absolute path nor an abstract socket (@name): systemd is not told the service state",
                SocketVariable, socketPath);
            return;
        }
        _endPoint = endPoint;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { SendTimeout = (int)SendTimeout.TotalMilliseconds };
    }

    /// <summary>The notifier for this process: systemd sets <c>NOTIFY_SOCKET</c> for <c>Type=notify</c> services.</summary>
    public static SystemdNotifier FromEnvironment(ILogger logger) => new(Environment.GetEnvironmentVariable(SocketVariable), logger);

    /// <summary>Whether there is a socket to notify: false outside systemd.</summary>
    public bool Enabled => _socket is not null;

    /// <summary>The service is up (listening): systemd finishes starting it and starts its dependants.</summary>
    public void Ready(string status) => Send("READY=1", Field("STATUS", status));

    /// <summary>The service began to stop; <paramref name="expected"/> is how long it may still take, past TimeoutStopSec if need be.</summary>
    public void Stopping(string status, TimeSpan expected) =>
        Send("STOPPING=1", Field("STATUS", status), Field("EXTEND_TIMEOUT_USEC", Microseconds(expected)));

    /// <summary>A free-form line <c>systemctl status</c> shows.</summary>
    public void Status(string status) => Send(Field("STATUS", status));

    /// <summary>Maps <c>NOTIFY_SOCKET</c> to an address: a leading '@' names the abstract namespace, spelled with a NUL byte there.</summary>
    public static UnixDomainSocketEndPoint? EndPointOf(string socketPath)
    {
        if (socketPath.Length > 1 && socketPath[0] == '@') return new UnixDomainSocketEndPoint("\0" + socketPath[1..]);
        if (socketPath.Length > 1 && socketPath[0] == '/') return new UnixDomainSocketEndPoint(socketPath);
        return null;
    }

    private static string Field(string name, string value) =>
        // Each assignment is one line of the datagram: a line break inside the value would start a forged one.
        name + "=" + value.ReplaceLineEndings(" ");

    private static string Microseconds(TimeSpan value) => ((long)Math.Max(0, value.TotalMicroseconds)).ToString(CultureInfo.InvariantCulture);

    private void Send(params string[] assignments)
    {
        if (_socket is null || _endPoint is null) return;
        var datagram = Encoding.UTF8.GetBytes(string.Join('\n', assignments) + "\n");
        lock (_lock)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _endPoint);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_warned) return;
                _warned = true;
                _logger.LogWarning("cannot notify systemd through {Variable}: {Error}", SocketVariable, ex.Message);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock) _socket?.Dispose();
    }
}
