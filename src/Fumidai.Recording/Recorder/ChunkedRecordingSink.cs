using Fumidai.Recording.Chunks;

namespace Fumidai.Recording.Recorder;

/// <summary>The recorder's stream: asciicast lines go to a <see cref="ChunkedRecordingWriter"/> (spool, chained chunks, signed manifest).</summary>
internal sealed class ChunkedRecordingSink : Stream
{
    private readonly ChunkedRecordingWriter _writer;

    public ChunkedRecordingSink(ChunkedRecordingWriter writer)
    {
        _writer = writer;
    }

    public async ValueTask CompleteAsync(string endReason)
    {
        await _writer.CompleteAsync(endReason).ConfigureAwait(false);
        if (_writer.Failure is { } failure) throw new IOException("the recording spool failed", failure);
    }

    public override void Write(ReadOnlySpan<byte> buffer) => _writer.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => _writer.Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => _writer.Write([value]);

    // Durability is the writer's own (fsync every second); a stream flush has nothing more to push.
    public override void Flush()
    {
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
