using System.Diagnostics;
using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;

namespace Fumidai.Recording.Recorder;

/// <summary>Records one terminal session as asciicast v2 into chained chunks, made durable (fsync) every second.</summary>
/// <remarks>
/// Output and input arrive on different tasks, so writes are serialised by a lock; bytes are decoded as UTF-8 per
/// stream with decoders that carry split sequences across calls. The chunk writer fsyncs on its own timer, outside
/// this lock. A write failure (disk full) is reported once through
/// <see cref="Failed"/> so the bastion can close the session instead of losing recording data silently.
/// </remarks>
public sealed class SessionRecorder : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly ChunkedRecordingSink _sink;
    private readonly AsciicastWriter _writer;
    private readonly Utf8Carry _output = new();
    private readonly Utf8Carry _input = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private bool _closed;

    private SessionRecorder(ChunkedRecordingWriter chunks, AsciicastHeader header)
    {
        Chunks = chunks;
        _sink = new ChunkedRecordingSink(chunks);
        _writer = new AsciicastWriter(_sink, leaveOpen: true);
        _writer.WriteHeader(header);
        chunks.Failed += Fail;
    }

    /// <summary>The spool folder of the recording.</summary>
    public string Path => Chunks.SpoolDirectory;

    /// <summary>The chunk writer (its <see cref="ChunkedRecordingWriter.Uploaded"/> task tells when the store has it all).</summary>
    public ChunkedRecordingWriter Chunks { get; }

    /// <summary>Raised once when the recording can no longer be written.</summary>
    public event Action<Exception>? Failed;

    public Exception? Failure { get; private set; }

    /// <summary>The screen live viewers watch, fed with the output and resizes recorded from when it is set; null when nobody may watch (file transfers).</summary>
    public LiveScreen? Live { get; set; }

    /// <summary>Bytes of terminal output and of input recorded.</summary>
    public long OutputBytes { get; private set; }

    public long InputBytes { get; private set; }

    /// <summary>Records into chained chunks through <paramref name="writer"/> (spool, upload, signed manifest at the end).</summary>
    public static SessionRecorder CreateChunked(ChunkedRecordingWriter writer, AsciicastHeader header) => new(writer, header);

    private TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    public void Output(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            OutputBytes += data.Length;
            WriteDecoded(AsciicastEventType.Output, _output, data, Live);
        }
    }

    public void Input(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            InputBytes += data.Length;
            WriteDecoded(AsciicastEventType.Input, _input, data);
        }
    }

    public void Resize(int columns, int rows)
    {
        lock (_lock)
        {
            Write(AsciicastEventType.Resize, $"{columns}x{rows}");
            Live?.Resize(Now, columns, rows);
        }
    }

    /// <summary>A marker event (<c>m</c>): target hop, exec command, file transfer, end reason.</summary>
    public void Marker(string label)
    {
        lock (_lock) Write(AsciicastEventType.Marker, label);
    }

    private void WriteDecoded(AsciicastEventType type, Utf8Carry carry, ReadOnlySpan<byte> data, LiveScreen? live = null)
    {
        var text = carry.Take(data);
        if (text.IsEmpty) return;
        // Valid UTF-8 (nearly all terminal output) goes to the JSON writer and the live screen as it is; invalid bytes
        // become U+FFFD for both.
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            live?.Output(Now, text);
            Append(type, null, text);
        }
        else
        {
            string decoded = Encoding.UTF8.GetString(text);
            live?.Output(Now, decoded);
            Append(type, decoded, default);
        }
    }

    private void Write(AsciicastEventType type, string data) => Append(type, data, default);

    /// <summary>Writes one event from either text or valid UTF-8; a write failure is reported once and ends recording.</summary>
    private void Append(AsciicastEventType type, string? text, ReadOnlySpan<byte> utf8)
    {
        if (_closed || Failure is not null) return;
        try
        {
            if (text is not null) _writer.WriteEvent(Now, type, text);
            else _writer.WriteEvent(Now, type, utf8);
        }
        catch (IOException ex)
        {
            Fail(ex);
        }
    }

    /// <summary>Pushes written events to disk now; the chunk writer also does so every second by itself.</summary>
    /// <remarks>Not under the recorder's lock: an fsync must never hold up the session's writes.</remarks>
    public void Flush() => Chunks.Flush();

    private void Fail(Exception ex)
    {
        lock (_lock)
        {
            if (Failure is not null) return;
            Failure = ex;
        }
        ThreadPool.QueueUserWorkItem(_ => Failed?.Invoke(ex));
    }

    /// <summary>Writes the end marker (<c>end: REASON</c>), seals the last chunk and writes the signed manifest naming the reason.</summary>
    public async ValueTask CompleteAsync(string endReason = "closed")
    {
        Marker("end: " + endReason);
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
        }
        Live?.End();
        try
        {
            await _sink.CompleteAsync(endReason).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Failure ??= ex;
        }
    }

    public ValueTask DisposeAsync() => CompleteAsync();
}
