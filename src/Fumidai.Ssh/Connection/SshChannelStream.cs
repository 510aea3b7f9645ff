namespace Fumidai.Ssh.Connection;

/// <summary>A channel's data as a duplex <see cref="Stream"/>, so another protocol (an SSH connection inside a tunnel) can run over it.</summary>
/// <remarks>Reads end at the peer's EOF or close; disposing sends EOF and closes the channel. Extended data is not part of the stream.</remarks>
public sealed class SshChannelStream : Stream
{
    private readonly SshChannel _channel;
    private int _disposed;

    public SshChannelStream(SshChannel channel) => _channel = channel;

    /// <summary>Called after each read that returned data (activity for an idle timer).</summary>
    public Action? OnRead { get; init; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The transport reads with zero-length buffers to wait for data without holding memory; a channel has nothing to wait on.
        if (buffer.IsEmpty) return ValueTask.FromResult(0);
        return OnRead is null ? _channel.ReadAsync(buffer, cancellationToken) : ReadAndTellAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadAndTellAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = await _channel.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0) OnRead!();
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _channel.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (SshChannelClosedException ex)
        {
            // To the protocol over the stream a closed channel is a closed connection, which streams report as IOException.
            throw new IOException("the channel is closed: " + ex.Message, ex);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _channel.SendEofAsync(limit.Token).ConfigureAwait(false);
            await _channel.CloseAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or OperationCanceledException or InvalidOperationException
            or IOException)
        {
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Volatile.Read(ref _disposed) == 0) DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }
}
