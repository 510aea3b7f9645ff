using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>What systemd listens on for <c>Type=notify</c>: a unix datagram socket the test binds, keeping every datagram it receives.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly List<string> _datagrams = [];
    private readonly Task _receiving;

    /// <param name="address">A path, or <c>@name</c> for the abstract namespace (as NOTIFY_SOCKET spells it).</param>
    public NotifySocket(string address)
    {
        Address = address;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(address.StartsWith('@') ? "\0" + address[1..] : address));
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Address { get; }

    public IReadOnlyList<string> Datagrams
    {
        get
        {
            lock (_datagrams) return _datagrams.ToArray();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_datagrams) _datagrams.Add(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    /// <summary>Waits (bounded) for a datagram that matches, among those from index <paramref name="from"/> on; fails listing what arrived.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, string what, TimeSpan timeout, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Datagrams.Skip(from).FirstOrDefault(match) is { } found) return found;
            if (clock.Elapsed > timeout)
                throw new Xunit.Sdk.XunitException($"no notification {what} within {timeout}; received:\n" + string.Join("\n--\n", Datagrams));
            await Task.Delay(20);
        }
    }

    /// <summary>The assignments of one datagram, one per line.</summary>
    public static IReadOnlyList<string> Lines(string datagram) => datagram.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        _socket.Dispose();
        _receiving.Wait(TimeSpan.FromSeconds(5));
        if (!Address.StartsWith('@')) File.Delete(Address);
    }
}
