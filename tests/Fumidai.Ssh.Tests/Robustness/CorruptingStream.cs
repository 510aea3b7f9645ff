namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>Passes bytes through, except that once armed it flips one byte of the next write (a bad MAC on the wire).</summary>
public sealed class CorruptingStream : Stream
{
    private readonly Stream _inner;
    private int _corruptOffset = -1;

    public CorruptingStream(Stream inner) => _inner = inner;

    /// <summary>Flips byte <paramref name="offset"/> of the next write that is long enough to have one.</summary>
    public void CorruptNextWrite(int offset) => Volatile.Write(ref _corruptOffset, offset);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int offset = Volatile.Read(ref _corruptOffset);
        if (offset >= 0 && buffer.Length > offset)
        {
            var copy = buffer.ToArray();
            copy[offset] ^= 0x40;
            Volatile.Write(ref _corruptOffset, -1);
            return _inner.WriteAsync(copy, cancellationToken);
        }
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
