using System.Buffers;
using System.IO.Pipelines;
using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Connection;

/// <summary>One SSH channel (RFC 4254 §5) with flow control in both directions.</summary>
/// <remarks>
/// Received data waits in a pipe bounded by the window we granted; the window is credited only when the consumer has
/// read the bytes, so a consumer that stops reading stalls this channel alone. Writes wait for the peer's window.
/// </remarks>
public sealed class SshChannel
{
    private readonly SshConnection _connection;
    private readonly Pipe _data;
    private Pipe? _extendedData;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly object _windowLock = new();
    private readonly Queue<TaskCompletionSource<bool>> _pendingReplies = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private TaskCompletionSource? _windowAvailable;
    private long _remoteWindow;
    private uint _localWindow;
    private uint _consumed;
    private bool _sentEof;
    private bool _sentClose;
    private bool _receivedEof;
    private bool _receivedClose;
    private Task _requestChain = Task.CompletedTask;

    internal SshChannel(SshConnection connection, string channelType, uint localId, uint localWindow, uint localMaxPacket)
    {
        _connection = connection;
        ChannelType = channelType;
        LocalId = localId;
        _localWindow = localWindow;
        LocalWindowSize = localWindow;
        LocalMaxPacket = localMaxPacket;
        _data = NewPipe();
    }

    public string ChannelType { get; }

    public uint LocalId { get; }

    public uint RemoteId { get; private set; }

    public uint LocalWindowSize { get; }

    public uint LocalMaxPacket { get; }

    public uint RemoteMaxPacket { get; private set; }

    /// <summary>Handles the peer's channel requests, one at a time in arrival order; replies go out in the same order.</summary>
    /// <remarks>Return true to succeed. Unset, every request that wants a reply fails.</remarks>
    public Func<ChannelRequest, CancellationToken, ValueTask<bool>>? RequestHandler { get; set; }

    /// <summary>Completes when the channel is closed in both directions (or the connection is gone).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Cancelled when the channel closes, for work tied to its lifetime.</summary>
    public CancellationToken ClosingToken => _closing.Token;

    /// <summary>The connection this channel belongs to.</summary>
    public SshConnection Connection => _connection;

    internal void Open(uint remoteId, uint remoteWindow, uint remoteMaxPacket)
    {
        RemoteId = remoteId;
        _remoteWindow = remoteWindow;
        // Keep our data packets within the transport's packet cap whatever the peer claims.
        RemoteMaxPacket = Math.Clamp(remoteMaxPacket, 1u, (uint)(SshLimits.MaxPacketLength - 1024));
    }

    /// <summary>Reads channel data (stdin on the server, stdout on the client); 0 at EOF.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadFromAsync(_data.Reader, buffer, cancellationToken);

    /// <summary>Reads extended data of type 1 (stderr); 0 at EOF.</summary>
    public ValueTask<int> ReadExtendedAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadFromAsync(ExtendedPipe.Reader, buffer, cancellationToken);

    /// <summary>Waits until data can be read without consuming it: true when there is some, false at EOF.</summary>
    /// <remarks>Lets a relay rent its copy buffer only once there is something to copy, so an idle channel holds none.</remarks>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => WaitToReadFromAsync(_data.Reader, cancellationToken);

    /// <summary>Waits until extended data (stderr) can be read without consuming it; false at EOF.</summary>
    public ValueTask<bool> WaitToReadExtendedAsync(CancellationToken cancellationToken = default) =>
        WaitToReadFromAsync(ExtendedPipe.Reader, cancellationToken);

    private static async ValueTask<bool> WaitToReadFromAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        bool hasData = !result.Buffer.IsEmpty;
        // Nothing consumed nor examined: the next read returns these bytes at once.
        reader.AdvanceTo(result.Buffer.Start);
        return hasData || !result.IsCompleted;
    }

    private Pipe ExtendedPipe
    {
        get
        {
            lock (_windowLock)
            {
                if (_extendedData is null)
                {
                    _extendedData = NewPipe();
                    // Created on the reader's first call: if EOF or CLOSE came first, the reader must still see the end.
                    if (_receivedEof || _receivedClose) _extendedData.Writer.Complete();
                }
                return _extendedData;
            }
        }
    }

    private async ValueTask<int> ReadFromAsync(PipeReader reader, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var available = result.Buffer;
        if (available.IsEmpty && result.IsCompleted)
        {
            reader.AdvanceTo(available.End);
            return 0;
        }
        int count = (int)Math.Min(available.Length, buffer.Length);
        available.Slice(0, count).CopyTo(buffer.Span);
        reader.AdvanceTo(available.GetPosition(count));
        if (!DeferCredit) await CreditAsync((uint)count, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>
    /// When true, reads do not give window back: the consumer calls <see cref="ReturnWindowAsync"/> once it has passed
    /// the bytes on. A relay does so after writing them to the other side, so a slow far end slows this peer too.
    /// </summary>
    public bool DeferCredit { get; set; }

    /// <summary>Credits the peer's window for bytes read earlier with <see cref="DeferCredit"/> set.</summary>
    public ValueTask ReturnWindowAsync(int count, CancellationToken cancellationToken = default) =>
        count > 0 ? CreditAsync((uint)count, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Gives the peer back window for bytes the consumer took, in batches of half the window.</summary>
    private async ValueTask CreditAsync(uint count, CancellationToken cancellationToken)
    {
        uint adjust = 0;
        lock (_windowLock)
        {
            _consumed += count;
            if (_consumed >= LocalWindowSize / 2 && !_receivedEof && !_sentClose)
            {
                adjust = _consumed;
                _consumed = 0;
                _localWindow += adjust;
            }
        }
        if (adjust == 0) return;
        using var message = SshWriter.ForPacket(MessageNumber.ChannelWindowAdjust, 8);
        message.WriteUInt32(RemoteId);
        message.WriteUInt32(adjust);
        try
        {
            await _connection.Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionLostException)
        {
            // The connection is going away; the reader will see it on its next read.
        }
    }

    /// <summary>Writes channel data, waiting for the peer's window as needed.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(data, extended: false, cancellationToken);

    /// <summary>Writes extended data of type 1 (stderr).</summary>
    public ValueTask WriteExtendedAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(data, extended: true, cancellationToken);

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, bool extended, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!data.IsEmpty)
            {
                if (_sentEof || _sentClose) throw new SshChannelClosedException("channel output already closed");
                int chunk = await TakeWindowAsync(Math.Min(data.Length, (int)RemoteMaxPacket), cancellationToken).ConfigureAwait(false);
                using var message = SshWriter.ForPacket(extended ? MessageNumber.ChannelExtendedData : MessageNumber.ChannelData, chunk + 16);
                message.WriteUInt32(RemoteId);
                if (extended) message.WriteUInt32(1);
                message.WriteBinary(data.Span[..chunk]);
                await _connection.Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
                data = data[chunk..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<int> TakeWindowAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_windowLock)
            {
                if (_receivedClose) throw new SshChannelClosedException();
                if (_sentClose) throw new SshChannelClosedException("channel already closed");
                if (_remoteWindow > 0)
                {
                    int granted = (int)Math.Min(wanted, _remoteWindow);
                    _remoteWindow -= granted;
                    return granted;
                }
                _windowAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _windowAvailable.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends CHANNEL_EOF: no more data from us.</summary>
    public async ValueTask SendEofAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sentEof || _sentClose) return;
            _sentEof = true;
            using var message = SshWriter.ForPacket(MessageNumber.ChannelEof, 4);
            message.WriteUInt32(RemoteId);
            await _connection.Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends CHANNEL_CLOSE; the channel is gone once the peer's CLOSE has also arrived.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_windowLock)
        {
            if (_sentClose) return;
            _sentClose = true;
            _windowAvailable?.TrySetResult();
        }
        try
        {
            using var message = SshWriter.ForPacket(MessageNumber.ChannelClose, 4);
            message.WriteUInt32(RemoteId);
            await _connection.Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionLostException)
        {
            OnConnectionLost();
            return;
        }
        TryFinish();
    }

    /// <summary>Sends a channel request; with <paramref name="wantReply"/> waits for and returns the peer's answer.</summary>
    public async ValueTask<bool> SendRequestAsync(ChannelRequest request, CancellationToken cancellationToken = default)
    {
        if (_sentClose) throw new SshChannelClosedException("channel already closed");
        TaskCompletionSource<bool>? reply = null;
        using var message = SshWriter.ForPacket(MessageNumber.ChannelRequest, 64);
        message.WriteUInt32(RemoteId);
        message.WriteString(request.Type);
        message.WriteBoolean(request.WantReply);
        ChannelRequestCodec.EncodeData(request, message);
        if (request.WantReply)
        {
            reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pendingReplies) _pendingReplies.Enqueue(reply);
        }
        await _connection.Transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return reply is null || await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask SendExitStatusAsync(uint status, CancellationToken cancellationToken = default) =>
        new(SendRequestAsync(new ExitStatusRequest(status), cancellationToken).AsTask());

    // ---- called by SshConnection's dispatch loop ----

    /// <returns>The pipe's flush. With no pause threshold it has always completed, so the dispatch loop never waits.</returns>
    internal ValueTask<FlushResult> OnData(ReadOnlySpan<byte> data, uint dataType, bool extended)
    {
        lock (_windowLock)
        {
            if (_receivedEof || _receivedClose)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "channel data after EOF");
            if ((uint)data.Length > _localWindow)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "peer exceeded the channel window");
            if ((uint)data.Length > LocalMaxPacket)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "channel data larger than the maximum packet");
            _localWindow -= (uint)data.Length;
        }
        if (extended && dataType != 1)
        {
            // Unknown extended data types are consumed at once so they do not hold window.
            _ = CreditAsync((uint)data.Length, CancellationToken.None).AsTask();
            return default;
        }
        var pipe = extended ? ExtendedPipe : _data;
        // The pipe has no pause threshold: the window we granted is what bounds it.
        pipe.Writer.Write(data);
        return pipe.Writer.FlushAsync();
    }

    internal void OnWindowAdjust(uint bytes)
    {
        lock (_windowLock)
        {
            long next = _remoteWindow + bytes;
            if (next > uint.MaxValue)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "channel window overflow");
            _remoteWindow = next;
            _windowAvailable?.TrySetResult();
            _windowAvailable = null;
        }
    }

    internal void OnEof()
    {
        lock (_windowLock) _receivedEof = true;
        _data.Writer.Complete();
        lock (_windowLock) _extendedData?.Writer.Complete();
    }

    internal async Task OnCloseAsync()
    {
        lock (_windowLock)
        {
            _receivedClose = true;
            _windowAvailable?.TrySetResult();
        }
        _data.Writer.Complete();
        lock (_windowLock) _extendedData?.Writer.Complete();
        FailPendingReplies();
        if (!_sentClose)
        {
            try
            {
                await CloseAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }
        TryFinish();
    }

    /// <returns>The task that handles and answers this request, so the dispatcher can bound how many are pending.</returns>
    internal Task OnRequest(ChannelRequest request)
    {
        // Chain so that replies leave in the order requests arrived (RFC 4254 §5.4), without blocking the dispatch loop.
        var previous = _requestChain;
        _requestChain = HandleRequestAsync(previous, request);
        return _requestChain;
    }

    private async Task HandleRequestAsync(Task previous, ChannelRequest request)
    {
        await previous.ConfigureAwait(false);
        bool ok = false;
        try
        {
            if (RequestHandler is { } handler && !_receivedClose) ok = await handler(request, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _connection.LogRequestFailure(this, request.Type, ex);
        }
        if (request.WantReply && !_sentClose)
        {
            try
            {
                using var message = SshWriter.ForPacket(ok ? MessageNumber.ChannelSuccess : MessageNumber.ChannelFailure, 4);
                message.WriteUInt32(RemoteId);
                await _connection.Transport.SendAsync(message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SshConnectionLostException or IOException or ObjectDisposedException)
            {
            }
        }
        StartDeferredWork();
    }

    private Func<Task>? _afterReply;

    /// <summary>
    /// Runs <paramref name="work"/> once the reply to the request being handled has been sent, so that output a command
    /// produces (and its exit status and CLOSE) can never overtake the success reply to its exec or shell request.
    /// </summary>
    /// <remarks>
    /// Call from inside <see cref="RequestHandler"/>, or from <see cref="ChannelOpenDecision.OnOpened"/>: then the work
    /// starts once CHANNEL_OPEN_CONFIRMATION has been sent.
    /// </remarks>
    public void RunAfterReply(Func<Task> work) => _afterReply = work;

    internal void StartDeferredWork()
    {
        var work = Interlocked.Exchange(ref _afterReply, null);
        if (work is not null) _ = Task.Run(work);
    }

    internal void OnRequestReply(bool success)
    {
        TaskCompletionSource<bool>? reply;
        lock (_pendingReplies) _pendingReplies.TryDequeue(out reply);
        if (reply is null) throw new SshProtocolException(DisconnectReason.ProtocolError, "channel reply without a request");
        reply.TrySetResult(success);
    }

    internal void OnConnectionLost()
    {
        lock (_windowLock)
        {
            _receivedClose = true;
            _sentClose = true;
            _windowAvailable?.TrySetResult();
        }
        _data.Writer.Complete();
        lock (_windowLock) _extendedData?.Writer.Complete();
        FailPendingReplies();
        Finish();
    }

    private void FailPendingReplies()
    {
        lock (_pendingReplies)
        {
            while (_pendingReplies.TryDequeue(out var reply)) reply.TrySetResult(false);
        }
    }

    private void TryFinish()
    {
        bool done;
        lock (_windowLock) done = _sentClose && _receivedClose;
        if (done) Finish();
    }

    private void Finish()
    {
        if (!_closed.TrySetResult()) return;
        _connection.RemoveChannel(this);
        try
        {
            _closing.Cancel();
        }
        catch (AggregateException)
        {
            // A handler's cancellation callback failed; the channel is closed regardless.
        }
    }

    /// <summary>
    /// Pipe segments hold a whole data packet at our maximum packet size. With the default 4 KiB
    /// segments a full 2 MiB window is 512 rented arrays and segments, more than the shared pools keep, so a bulk
    /// transfer allocated about half its volume as garbage (measured: ~525 MiB and 33 GCs per GiB uploaded, against
    /// ~4 MiB and no GC with 64 KiB segments). Segments are rented only while data waits in the pipe.
    /// Segments come from <see cref="ChannelSegmentPool"/>: through the shared array pool a typing session allocated a
    /// fresh segment per keystroke.
    /// </summary>
    private Pipe NewPipe() => new(new PipeOptions(pool: ChannelSegmentPool.Instance, pauseWriterThreshold: 0, resumeWriterThreshold: 0,
        minimumSegmentSize: (int)LocalMaxPacket, useSynchronizationContext: false));
}
