using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Tests.Framing;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>
/// A hand-driven peer on a plain socket for attacks before the first NEWKEYS: it writes arbitrary bytes and reads the
/// server's cleartext packets, so a test can see exactly which DISCONNECT reason came back.
/// </summary>
public sealed class RawSshPeer : IAsyncDisposable
{
    public const string ClientVersion = "SSH-2.0-RawPeer_1.0";

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Random _random = new(7);

    private RawSshPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The server's identification line, once read.</summary>
    public string? ServerVersion { get; private set; }

    public static async Task<RawSshPeer> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawSshPeer(socket);
    }

    /// <summary>Reads the server's version line, sends ours, and reads the server's KEXINIT.</summary>
    public async Task<byte[]> HandshakeAsync()
    {
        await ReadServerVersionAsync();
        await SendAsync(Encoding.ASCII.GetBytes(ClientVersion + "\r\n"));
        var kexInit = await ReadPacketAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no KEXINIT from the server");
        Assert.Equal((byte)MessageNumber.KexInit, kexInit[0]);
        return kexInit;
    }

    public async Task<string> ReadServerVersionAsync()
    {
        var line = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0) throw new EndOfStreamException("closed before the version line");
            if (one[0] == '\n') break;
            line.Add(one[0]);
        }
        ServerVersion = Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
        return ServerVersion;
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends a well-formed cleartext packet around <paramref name="payload"/>.</summary>
    public Task SendPacketAsync(byte[] payload) => SendAsync(TestPackets.Build(NoneCipher.Instance, payload, _random));

    /// <summary>Half-closes: the server sees end of stream while we can still read what it sends.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one cleartext packet's payload, or null when the server closed the connection.</summary>
    public async Task<byte[]?> ReadPacketAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[5];
        if (!await ReadExactlyOrEofAsync(header, cts.Token)) return null;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        Assert.InRange(length, 5u, (uint)SshLimits.MaxPacketLength);
        var rest = new byte[length - 1];
        if (!await ReadExactlyOrEofAsync(rest, cts.Token)) return null;
        return rest.AsSpan(0, rest.Length - header[4]).ToArray();
    }

    /// <summary>Reads packets until DISCONNECT (returns its reason) or the end of the connection (returns null).</summary>
    public async Task<(DisconnectReason Reason, string Description)?> ReadDisconnectAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException("the server neither disconnected nor closed");
            var payload = await ReadPacketAsync(remaining);
            if (payload is null) return null;
            if (payload[0] != (byte)MessageNumber.Disconnect) continue;
            var reader = new SshReader(payload);
            reader.ReadMessageNumber();
            var reason = (DisconnectReason)reader.ReadUInt32();
            return (reason, reader.ReadString());
        }
    }

    /// <summary>Asserts that the server sends DISCONNECT with <paramref name="expected"/> and then closes the connection.</summary>
    public async Task<string> ExpectDisconnectAsync(DisconnectReason expected)
    {
        var disconnect = await ReadDisconnectAsync(TimeSpan.FromSeconds(10));
        Assert.True(disconnect is not null, $"connection closed without DISCONNECT (expected {expected})");
        Assert.Equal(expected, disconnect.Value.Reason);
        await ExpectClosedAsync(TimeSpan.FromSeconds(10));
        return disconnect.Value.Description;
    }

    /// <summary>Reads and discards until the server closes; fails if it is still open after <paramref name="timeout"/>.</summary>
    public async Task<byte[]> ExpectClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, cts.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // A reset (the server closed with our bytes unread) also ends the connection.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server did not close the connection within {timeout}");
        }
        return received.ToArray();
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A client KEXINIT for the default algorithms, announcing strict kex as OpenSSH does.</summary>
    public static byte[] ClientKexInit(bool strict = true, bool firstKexPacketFollows = false)
    {
        string[] kex = strict
            ? [.. KeyExchangeMethods.DefaultNames, AlgorithmNegotiation.ExtInfoClient, AlgorithmNegotiation.StrictKexClient]
            : [.. KeyExchangeMethods.DefaultNames];
        return new KexInitMessage(kex, [.. SshTransportSettings.DefaultHostKeyAlgorithms],
            [.. CipherAlgorithms.DefaultNames], [.. CipherAlgorithms.DefaultNames], [.. MacAlgorithms.DefaultNames], [.. MacAlgorithms.DefaultNames],
            ["none"], ["none"], firstKexPacketFollows).Encode();
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
