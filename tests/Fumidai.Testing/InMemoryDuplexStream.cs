using System.IO.Pipelines;

namespace Fumidai.Testing;

/// <summary>
/// One end of an in-memory connection with small, fixed buffers in each direction. Unlike loopback TCP (megabytes
/// of autotuned buffers), a writer blocks after a few KiB the other side has not read, so backpressure is observable.
/// </summary>
public sealed class InMemoryDuplexStream : Stream
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;

    private InMemoryDuplexStream(PipeReader reader, PipeWriter writer)
    {
        _reader = reader;
        _writer = writer;
        _input = reader.AsStream();
        _output = writer.AsStream();
    }

    /// <summary>Two connected ends; each direction holds at most <paramref name="bufferBytes"/> unread bytes.</summary>
    public static (InMemoryDuplexStream Client, InMemoryDuplexStream Server) CreatePair(int bufferBytes)
    {
        var options = new PipeOptions(pauseWriterThreshold: bufferBytes, resumeWriterThreshold: bufferBytes / 2, useSynchronizationContext: false);
        var toServer = new Pipe(options);
        var toClient = new Pipe(options);
        return (new InMemoryDuplexStream(toClient.Reader, toServer.Writer), new InMemoryDuplexStream(toServer.Reader, toClient.Writer));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override void Flush() => _output.Flush();

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
        if (disposing)
        {
            // Completing both pipes makes the other end see end of stream, like a closed socket.
            _writer.Complete();
            _reader.Complete();
        }
        base.Dispose(disposing);
    }
}
