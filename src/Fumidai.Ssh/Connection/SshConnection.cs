using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Ssh.Connection;

/// <summary>The connection protocol multiplexer (RFC 4254): channel table, global requests, dispatch loop.</summary>
/// <remarks>
/// The dispatch loop never waits for an application: channel data goes into window-bounded pipes, channel requests
/// and opens run on their own tasks. Keepalives, key exchanges and other channels therefore keep flowing when one
/// consumer stalls.
/// </remarks>
public sealed class SshConnection : IAsyncDisposable
{
    private readonly Dictionary<uint, SshChannel> _channels = [];
    private readonly Dictionary<uint, TaskCompletionSource<SshChannel>> _opening = [];

    /// <summary>Our opens whose caller gave up before the peer answered; the answer is still due (see <see cref="AbandonOpen"/>).</summary>
    private readonly Dictionary<uint, SshChannel> _abandoned = [];
    private readonly Queue<TaskCompletionSource<(bool, byte[])>> _globalReplies = new();
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _requestSlots;
    private Task _globalRequestChain = Task.CompletedTask;
    private uint _nextChannelId;
    private bool _noMoreSessions;
    private bool _stopped;

    public SshConnection(SshTransport transport, IChannelOpenHandler? openHandler, ILogger? logger = null, SshConnectionLimits? limits = null)
    {
        Transport = transport;
        OpenHandler = openHandler;
        _logger = logger ?? NullLogger.Instance;
        Limits = limits ?? SshConnectionLimits.Default;
        Limits.Validate();
        _requestSlots = new SemaphoreSlim(Limits.MaxPendingRequests, Limits.MaxPendingRequests);
    }

    public SshTransport Transport { get; }

    /// <summary>Decides the peer's CHANNEL_OPENs; set before <see cref="RunAsync"/>. Null refuses every channel.</summary>
    public IChannelOpenHandler? OpenHandler { get; set; }

    /// <summary>Channel count, window, packet size and pending-request bounds of this connection.</summary>
    public SshConnectionLimits Limits { get; }

    /// <summary>Handles the peer's global requests other than keepalives (e.g. <c>tcpip-forward</c>); unset, they fail.</summary>
    public Func<GlobalRequest, CancellationToken, ValueTask<bool>>? GlobalRequestHandler { get; set; }

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    public int ChannelCount
    {
        get
        {
            lock (_channels) return _channels.Count;
        }
    }

    /// <summary>Dispatches messages until the peer disconnects or a protocol error occurs; then fails all channels.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var packet = await Transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                await DispatchAsync(packet, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Stop();
        }
    }

    private async ValueTask DispatchAsync(IncomingPacket packet, CancellationToken cancellationToken)
    {
        if (packet.Message is MessageNumber.GlobalRequest or MessageNumber.ChannelRequest or MessageNumber.ChannelOpen)
        {
            // Handled on their own tasks: take a slot first, released when the reply has gone out.
            await _requestSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var reader = new SshReader(packet.Payload.Span);
        var message = reader.ReadMessageNumber();
        switch (message)
        {
            case MessageNumber.ChannelData:
            {
                var channel = Find(reader.ReadUInt32());
                var data = reader.ReadBinary();
                reader.EnsureEnd("CHANNEL_DATA");
                await channel.OnData(data, 0, extended: false).ConfigureAwait(false);
                break;
            }
            case MessageNumber.ChannelExtendedData:
            {
                var channel = Find(reader.ReadUInt32());
                uint type = reader.ReadUInt32();
                var data = reader.ReadBinary();
                reader.EnsureEnd("CHANNEL_EXTENDED_DATA");
                await channel.OnData(data, type, extended: true).ConfigureAwait(false);
                break;
            }
            case MessageNumber.ChannelWindowAdjust:
            {
                var channel = Find(reader.ReadUInt32());
                uint bytes = reader.ReadUInt32();
                reader.EnsureEnd("CHANNEL_WINDOW_ADJUST");
                channel.OnWindowAdjust(bytes);
                break;
            }
            case MessageNumber.ChannelEof:
            {
                var channel = Find(reader.ReadUInt32());
                reader.EnsureEnd("CHANNEL_EOF");
                channel.OnEof();
                break;
            }
            case MessageNumber.ChannelClose:
            {
                var channel = Find(reader.ReadUInt32());
                reader.EnsureEnd("CHANNEL_CLOSE");
                _ = channel.OnCloseAsync();
                break;
            }
            case MessageNumber.ChannelRequest:
            {
                var channel = Find(reader.ReadUInt32());
                string type = reader.ReadString();
                bool wantReply = reader.ReadBoolean();
                var request = ChannelRequestCodec.Decode(type, wantReply, ref reader);
                ReleaseSlotWhenDone(channel.OnRequest(request));
                break;
            }
            case MessageNumber.ChannelSuccess:
            case MessageNumber.ChannelFailure:
            {
                var channel = Find(reader.ReadUInt32());
                reader.EnsureEnd("CHANNEL_SUCCESS/FAILURE");
                channel.OnRequestReply(message == MessageNumber.ChannelSuccess);
                break;
            }
            case MessageNumber.ChannelOpen:
                OnChannelOpen(ref reader);
                break;
            case MessageNumber.ChannelOpenConfirmation:
                OnOpenConfirmation(ref reader);
                break;
            case MessageNumber.ChannelOpenFailure:
                OnOpenFailure(ref reader);
                break;
            case MessageNumber.GlobalRequest:
                OnGlobalRequest(ref reader);
                break;
            case MessageNumber.RequestSuccess:
            case MessageNumber.RequestFailure:
            {
                TaskCompletionSource<(bool, byte[])>? reply;
                lock (_globalReplies) _globalReplies.TryDequeue(out reply);
                if (reply is null) throw new SshProtocolException(DisconnectReason.ProtocolError, "global reply without a request");
                reply.TrySetResult((message == MessageNumber.RequestSuccess, reader.RemainingSpan.ToArray()));
                break;
            }
            case MessageNumber.UserAuthRequest:
                // RFC 4252 §5.1: requests after success are ignored.
                break;
            default:
                // RFC 4253 §11.4: unknown messages get UNIMPLEMENTED, the connection goes on.
                await Transport.SendUnimplementedAsync(packet.SequenceNumber, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private SshChannel Find(uint localId)
    {
        lock (_channels)
        {
            return _channels.TryGetValue(localId, out var channel)
                ? channel
                : throw new SshProtocolException(DisconnectReason.ProtocolError, $"message for unknown channel {localId}");
        }
    }

    private void OnChannelOpen(ref SshReader reader)
    {
        string type = reader.ReadString();
        uint senderChannel = reader.ReadUInt32();
        uint initialWindow = reader.ReadUInt32();
        uint maxPacket = reader.ReadUInt32();
        ChannelOpenRequest request = type switch
        {
            "session" => new ChannelOpenRequest(type),
            "direct-tcpip" or "forwarded-tcpip" => new TcpipChannelOpenRequest(type, reader.ReadString(), reader.ReadUInt32(), reader.ReadString(), reader.ReadUInt32()),
            _ => new ChannelOpenRequest(type),
        };
        if (type is "session" or "direct-tcpip" or "forwarded-tcpip") reader.EnsureEnd("CHANNEL_OPEN");
        ReleaseSlotWhenDone(AcceptChannelAsync(request, senderChannel, initialWindow, maxPacket));
    }

    private void ReleaseSlotWhenDone(Task work)
    {
        if (work.IsCompleted) _requestSlots.Release();
        else work.ContinueWith(static (_, slots) => ((SemaphoreSlim)slots!).Release(), _requestSlots, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task AcceptChannelAsync(ChannelOpenRequest request, uint senderChannel, uint initialWindow, uint maxPacket)
    {
        bool reserved = false;
        try
        {
            ChannelOpenDecision decision;
            if (OpenHandler is null) decision = ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "channels not accepted");
            else if (request.ChannelType == "session" && _noMoreSessions) decision = ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "no more sessions");
            else if (!(reserved = TryReserveChannel())) decision = ChannelOpenDecision.Reject(ChannelOpenFailureReason.ResourceShortage, "too many channels");
            else decision = await OpenHandler.OnChannelOpenAsync(request, _shutdown.Token).ConfigureAwait(false);
            if (decision.OnOpened is null)
            {
                using var failure = SshWriter.ForPacket(MessageNumber.ChannelOpenFailure, 64);
                failure.WriteUInt32(senderChannel);
                failure.WriteUInt32((uint)decision.FailureReason);
                failure.WriteString(decision.Description);
                failure.WriteString("");
                await Transport.SendAsync(failure, _shutdown.Token).ConfigureAwait(false);
                return;
            }
            var channel = Register(request.ChannelType);
            // Registered: the channel table counts it from here on.
            if (reserved) Interlocked.Decrement(ref _opensInFlight);
            reserved = false;
            channel.Open(senderChannel, initialWindow, maxPacket);
            decision.OnOpened(channel);
            using var confirm = SshWriter.ForPacket(MessageNumber.ChannelOpenConfirmation, 16);
            confirm.WriteUInt32(senderChannel);
            confirm.WriteUInt32(channel.LocalId);
            confirm.WriteUInt32(channel.LocalWindowSize);
            confirm.WriteUInt32(channel.LocalMaxPacket);
            await Transport.SendAsync(confirm, _shutdown.Token).ConfigureAwait(false);
            channel.StartDeferredWork();
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            if (reserved) Interlocked.Decrement(ref _opensInFlight);
        }
    }

    /// <summary>Opens a channel to the peer (client role: sessions, direct-tcpip; server role: forwarded-tcpip).</summary>
    /// <remarks>Cancelled, the channel is unregistered at once; should the peer confirm it later, it is closed.</remarks>
    public async Task<SshChannel> OpenChannelAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        var channel = Register(request.ChannelType);
        var opened = new TaskCompletionSource<SshChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_channels) _opening[channel.LocalId] = opened;
        try
        {
            using var message = SshWriter.ForPacket(MessageNumber.ChannelOpen, 64);
            message.WriteString(request.ChannelType);
            message.WriteUInt32(channel.LocalId);
            message.WriteUInt32(channel.LocalWindowSize);
            message.WriteUInt32(channel.LocalMaxPacket);
            if (request is TcpipChannelOpenRequest tcp)
            {
                message.WriteString(tcp.Host);
                message.WriteUInt32(tcp.Port);
                message.WriteString(tcp.OriginatorAddress);
                message.WriteUInt32(tcp.OriginatorPort);
            }
            await Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not sent (or the connection is broken): no answer will come, so nothing needs to wait for one.
            lock (_channels)
            {
                _opening.Remove(channel.LocalId);
                _channels.Remove(channel.LocalId);
            }
            throw;
        }
        try
        {
            return await opened.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            AbandonOpen(channel, opened);
            throw;
        }
    }

    /// <summary>
    /// Unregisters an open whose caller gave up while the peer's answer is still due. The id stays reserved until the
    /// answer comes: a refusal then ends it, a confirmation is answered with CLOSE, as nobody will use that channel.
    /// </summary>
    private void AbandonOpen(SshChannel channel, TaskCompletionSource<SshChannel> opened)
    {
        lock (_channels)
        {
            // The answer may have raced the cancellation: then the channel is open and ours to close.
            if (_opening.Remove(channel.LocalId))
            {
                _channels.Remove(channel.LocalId);
                _abandoned[channel.LocalId] = channel;
                return;
            }
        }
        if (opened.Task.IsCompletedSuccessfully) _ = CloseQuietlyAsync(channel);
    }

    private static async Task CloseQuietlyAsync(SshChannel channel)
    {
        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is going away, which ends the channel too.
        }
    }

    private void OnOpenConfirmation(ref SshReader reader)
    {
        uint recipient = reader.ReadUInt32();
        uint sender = reader.ReadUInt32();
        uint window = reader.ReadUInt32();
        uint maxPacket = reader.ReadUInt32();
        SshChannel? orphan;
        lock (_channels)
        {
            if (_abandoned.Remove(recipient, out orphan))
            {
                // Registered again only to take the peer's messages until its CLOSE answers ours.
                _channels[recipient] = orphan;
                orphan.Open(sender, window, maxPacket);
            }
            else
            {
                // Completed under the lock, so a caller giving up at this moment sees either "still opening" or "open".
                var (channel, opened) = TakeOpening(recipient);
                channel.Open(sender, window, maxPacket);
                opened.TrySetResult(channel);
            }
        }
        if (orphan is not null) _ = CloseQuietlyAsync(orphan);
    }

    private void OnOpenFailure(ref SshReader reader)
    {
        uint recipient = reader.ReadUInt32();
        var reason = (ChannelOpenFailureReason)reader.ReadUInt32();
        string description = reader.ReadString(4096);
        lock (_channels)
        {
            if (_abandoned.Remove(recipient)) return;
        }
        var (channel, opened) = TakeOpening(recipient);
        RemoveChannel(channel);
        opened.TrySetException(new SshChannelOpenException(reason, description));
    }

    private (SshChannel, TaskCompletionSource<SshChannel>) TakeOpening(uint localId)
    {
        lock (_channels)
        {
            if (!_opening.Remove(localId, out var opened) || !_channels.TryGetValue(localId, out var channel))
                throw new SshProtocolException(DisconnectReason.ProtocolError, "open reply for a channel we did not open");
            return (channel, opened);
        }
    }

    private void OnGlobalRequest(ref SshReader reader)
    {
        string name = reader.ReadString();
        bool wantReply = reader.ReadBoolean();
        var request = new GlobalRequest(name, wantReply, reader.RemainingSpan.ToArray());
        var previous = _globalRequestChain;
        _globalRequestChain = HandleGlobalRequestAsync(previous, request);
        ReleaseSlotWhenDone(_globalRequestChain);
    }

    private async Task HandleGlobalRequestAsync(Task previous, GlobalRequest request)
    {
        await previous.ConfigureAwait(false);
        bool ok = false;
        try
        {
            switch (request.Name)
            {
                case "no-more-sessions@openssh.com":
                    _noMoreSessions = true;
                    return;
                case "keepalive@openssh.com":
                    // Any reply shows we are alive; OpenSSH itself answers failure.
                    break;
                default:
                    if (GlobalRequestHandler is { } handler) ok = await handler(request, _shutdown.Token).ConfigureAwait(false);
                    break;
            }
            if (!request.WantReply) return;
            using var reply = SshWriter.ForPacket(ok ? MessageNumber.RequestSuccess : MessageNumber.RequestFailure, 1);
            await Transport.SendAsync(reply, _shutdown.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Sends a global request; with <paramref name="wantReply"/> returns success and the reply data.</summary>
    public async Task<(bool Success, byte[] Data)> SendGlobalRequestAsync(string name, bool wantReply, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        TaskCompletionSource<(bool, byte[])>? reply = null;
        using var message = SshWriter.ForPacket(MessageNumber.GlobalRequest, 32 + data.Length);
        message.WriteString(name);
        message.WriteBoolean(wantReply);
        message.WriteRaw(data.Span);
        if (wantReply)
        {
            reply = new TaskCompletionSource<(bool, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_globalReplies) _globalReplies.Enqueue(reply);
        }
        await Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return reply is null ? (true, []) : await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private int _opensInFlight;

    /// <summary>Counts opens whose handler is still deciding, so slow handlers cannot let more than MaxChannels through.</summary>
    private bool TryReserveChannel()
    {
        if (Interlocked.Increment(ref _opensInFlight) + ChannelCount <= Limits.MaxChannels) return true;
        Interlocked.Decrement(ref _opensInFlight);
        return false;
    }

    private SshChannel Register(string type)
    {
        lock (_channels)
        {
            if (_stopped) throw new SshConnectionLostException("connection closed");
            uint id;
            do id = _nextChannelId++;
            while (_channels.ContainsKey(id) || _abandoned.ContainsKey(id));
            var channel = new SshChannel(this, type, id, Limits.WindowSize, Limits.MaxPacket);
            _channels[id] = channel;
            return channel;
        }
    }

    internal void RemoveChannel(SshChannel channel)
    {
        lock (_channels) _channels.Remove(channel.LocalId);
    }

    internal void LogRequestFailure(SshChannel channel, string type, Exception ex) =>
        _logger.LogWarning(ex, "channel {Channel}: handler for {Request} failed", channel.LocalId, type);

    private void Stop()
    {
        SshChannel[] channels;
        TaskCompletionSource<SshChannel>[] opening;
        lock (_channels)
        {
            _stopped = true;
            channels = _channels.Values.ToArray();
            opening = _opening.Values.ToArray();
            _opening.Clear();
            _abandoned.Clear();
        }
        foreach (var channel in channels) channel.OnConnectionLost();
        foreach (var open in opening) open.TrySetException(new SshConnectionLostException("connection closed"));
        lock (_globalReplies)
        {
            while (_globalReplies.TryDequeue(out var reply)) reply.TrySetException(new SshConnectionLostException("connection closed"));
        }
        try
        {
            _shutdown.Cancel();
        }
        catch (AggregateException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await Transport.DisposeAsync().ConfigureAwait(false);
    }
}
