using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>
/// Our client-role transport driven message by message, for attacks after the key exchange and for the "server still
/// serves" checks. It is a test script, not a client API: each step sends exactly what the test says.
/// </summary>
public sealed class ScriptedClient : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private uint _nextChannel;

    private ScriptedClient(SshTransport transport) => Transport = transport;

    public SshTransport Transport { get; }

    /// <param name="wrap">Wraps the socket stream, e.g. to corrupt bytes on the wire.</param>
    public static async Task<ScriptedClient> ConnectAsync(int port, ILogger? logger = null, Func<Stream, Stream>? wrap = null,
        SshTransportSettings? settings = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (wrap is not null) stream = wrap(stream);
        return await ConnectAsync(stream, logger, settings);
    }

    /// <summary>Runs the client handshake over any stream (e.g. an in-memory connection).</summary>
    public static async Task<ScriptedClient> ConnectAsync(Stream stream, ILogger? logger = null, SshTransportSettings? settings = null)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        var transport = await SshTransport.ConnectAsync(stream, (_, _) => ValueTask.CompletedTask, settings, logger, timeout.Token);
        return new ScriptedClient(transport);
    }

    /// <summary>Connects and logs in with a password; fails the test if the server refuses.</summary>
    public static async Task<ScriptedClient> LoginAsync(int port, string password, ILogger? logger = null, Func<Stream, Stream>? wrap = null)
    {
        var client = await ConnectAsync(port, logger, wrap);
        Assert.True(await client.TryPasswordAsync("robust", password), "password login was refused");
        return client;
    }

    public async Task SendAsync(MessageNumber message, Action<SshWriter>? body = null)
    {
        using var writer = SshWriter.ForPacket(message);
        body?.Invoke(writer);
        using var timeout = new CancellationTokenSource(StepTimeout);
        await Transport.SendAsync(writer, timeout.Token);
    }

    /// <summary>The next message for the layers above the transport, copied out of the receive buffer.</summary>
    public async Task<byte[]> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        var packet = await Transport.ReceiveAsync(timeout.Token);
        return packet.Payload.ToArray();
    }

    /// <summary>Requests ssh-userauth (once) and tries one password; true on USERAUTH_SUCCESS.</summary>
    public async Task<bool> TryPasswordAsync(string user, string password)
    {
        if (!_serviceAccepted)
        {
            await SendAsync(MessageNumber.ServiceRequest, w => w.WriteString("ssh-userauth"));
            Assert.Equal((byte)MessageNumber.ServiceAccept, (await ReceiveAsync())[0]);
            _serviceAccepted = true;
        }
        await SendAsync(MessageNumber.UserAuthRequest, w =>
        {
            w.WriteString(user);
            w.WriteString("ssh-connection");
            w.WriteString("password");
            w.WriteBoolean(false);
            w.WriteString(password);
        });
        while (true)
        {
            var reply = await ReceiveAsync();
            switch ((MessageNumber)reply[0])
            {
                case MessageNumber.UserAuthBanner:
                    continue;
                case MessageNumber.UserAuthSuccess:
                    return true;
                case MessageNumber.UserAuthFailure:
                    return false;
                default:
                    throw new InvalidOperationException($"unexpected message {reply[0]} during authentication");
            }
        }
    }

    private bool _serviceAccepted;

    /// <summary>The server's side of a session channel we opened.</summary>
    public sealed record OpenChannel(uint LocalId, uint RemoteId, uint RemoteWindow, uint RemoteMaxPacket);

    public async Task<OpenChannel> OpenSessionAsync()
    {
        uint local = _nextChannel++;
        await SendAsync(MessageNumber.ChannelOpen, w =>
        {
            w.WriteString("session");
            w.WriteUInt32(local);
            w.WriteUInt32(1 << 20);
            w.WriteUInt32(32 * 1024);
        });
        var reply = await ReceiveSkippingAsync(MessageNumber.ChannelOpenConfirmation);
        var reader = new SshReader(reply);
        reader.ReadMessageNumber();
        Assert.Equal(local, reader.ReadUInt32());
        return new OpenChannel(local, reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32());
    }

    /// <summary>Runs one command on a new session channel; returns its stdout and exit status.</summary>
    public async Task<(byte[] Output, uint ExitStatus)> ExecAsync(string command)
    {
        var channel = await OpenSessionAsync();
        await SendAsync(MessageNumber.ChannelRequest, w =>
        {
            w.WriteUInt32(channel.RemoteId);
            w.WriteString("exec");
            w.WriteBoolean(true);
            w.WriteString(command);
        });
        var output = new MemoryStream();
        uint? status = null;
        while (true)
        {
            var message = await ReceiveAsync();
            var reader = new SshReader(message);
            var number = reader.ReadMessageNumber();
            switch (number)
            {
                case MessageNumber.ChannelData:
                    reader.ReadUInt32();
                    output.Write(reader.ReadBinary());
                    break;
                case MessageNumber.ChannelRequest:
                    reader.ReadUInt32();
                    if (reader.ReadString() == "exit-status" && !reader.ReadBoolean()) status = reader.ReadUInt32();
                    break;
                case MessageNumber.ChannelClose:
                    await SendAsync(MessageNumber.ChannelClose, w => w.WriteUInt32(channel.RemoteId));
                    Assert.True(status is not null, "channel closed without exit-status");
                    return (output.ToArray(), status.Value);
                case MessageNumber.ChannelFailure:
                    throw new InvalidOperationException("exec was refused");
                default:
                    // CHANNEL_SUCCESS, WINDOW_ADJUST, EOF, stderr: not needed for these checks.
                    break;
            }
        }
    }

    /// <summary>Skips messages (window adjusts, replies) until one of the wanted type arrives.</summary>
    public async Task<byte[]> ReceiveSkippingAsync(MessageNumber wanted)
    {
        for (int i = 0; i < 1000; i++)
        {
            var message = await ReceiveAsync();
            if (message[0] == (byte)wanted) return message;
        }
        throw new InvalidOperationException($"no message {wanted} among the next 1000");
    }

    /// <summary>Reads until the server disconnects and returns the reason it gave (ConnectionLost when it just closed).</summary>
    public async Task<DisconnectReason> ExpectDisconnectAsync()
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            for (int i = 0; i < 10_000; i++) await Transport.ReceiveAsync(timeout.Token);
        }
        catch (SshConnectionLostException e)
        {
            return e.Reason;
        }
        catch (IOException)
        {
            return DisconnectReason.ConnectionLost;
        }
        throw new InvalidOperationException("the server kept talking instead of disconnecting");
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}
