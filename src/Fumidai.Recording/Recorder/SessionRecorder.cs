using System.Diagnostics;
using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;

namespace Fumidai.Recording.Recorder;

/// <summary>Records one terminal session as asciicast v2, flushed to disk (fsync) at least every second.</summary>
/// <remarks>Two backends with one API: a single local <c>.cast</c> file (<see cref="Create"/>), or chained chunks shipped to an
/// object store (<see cref="CreateChunked"/>).</remarks>
/// <remarks>
/// Output and input arrive on different tasks, so writes are serialised by a lock; bytes are decoded as UTF-8 per
/// stream with decoders that carry split sequences across calls. A write failure (disk full) is reported once through
/// <see cref="Failed"/> so the bastion can close the session instead of losing recording data silently.
/// </remarks>
public sealed class SessionRecorder : IAsyncDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly object _lock = new();
    private readonly IRecordingSink _sink;
    private readonly AsciicastWriter _writer;
    private readonly Utf8Carry _output = new();
    private readonly Utf8Carry _input = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;
    private bool _dirty;
    private bool _closed;

    private SessionRecorder(string path, IRecordingSink sink, AsciicastHeader header, ChunkedRecordingWriter? chunks = null)
    {
        Path = path;
        _sink = sink;
        Chunks = chunks;
        _writer = new AsciicastWriter(sink.Stream, leaveOpen: true);
        _writer.WriteHeader(header);
        _sink.Flush();
        _flusher = FlushLoopAsync();
        if (chunks is not null) chunks.Failed += Fail;
    }

    /// <summary>The <c>.cast</c> file, or the spool folder of a chunked recording.</summary>
    public string Path { get; }

    /// <summary>The chunk writer of a chunked recording (its <see cref="ChunkedRecordingWriter.Uploaded"/> task), else null.</summary>
    public ChunkedRecordingWriter? Chunks { get; }

    /// <summary>Raised once when the recording can no longer be written.</summary>
    public event Action<Exception>? Failed;

    public Exception? Failure { get; private set; }

    /// <summary>Bytes of terminal output and of input recorded.</summary>
    public long OutputBytes { get; private set; }

    public long InputBytes { get; private set; }

    /// <summary>Creates the file (owner-only) and writes the header.</summary>
    public static SessionRecorder Create(string path, AsciicastHeader header)
    {
        return new SessionRecorder(path, new FileRecordingSink(path), header);
    }

    /// <summary>Records into chained chunks through <paramref name="writer"/> (spool, upload, signed manifest at the end).</summary>
    public static SessionRecorder CreateChunked(ChunkedRecordingWriter writer, AsciicastHeader header) =>
        new(writer.SpoolDirectory, new ChunkedRecordingSink(writer), header, writer);

    private TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    public void Output(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            OutputBytes += data.Length;
            WriteDecoded(AsciicastEventType.Output, _output, data);
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
        lock (_lock) Write(AsciicastEventType.Resize, $"{columns}x{rows}");
    }

    /// <summary>A marker event (<c>m</c>): target hop, exec command, file transfer, end reason.</summary>
    public void Marker(string label)
    {
        lock (_lock) Write(AsciicastEventType.Marker, label);
    }

    private void WriteDecoded(AsciicastEventType type, Utf8Carry carry, ReadOnlySpan<byte> data)
    {
        var text = carry.Take(data);
        if (text.IsEmpty) return;
        // Valid UTF-8 (nearly all terminal output) goes to the JSON writer as it is; invalid bytes become U+FFFD.
        if (System.Text.Unicode.Utf8.IsValid(text)) Append(type, null, text);
        else Append(type, Encoding.UTF8.GetString(text), default);
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
            _dirty = true;
        }
        catch (IOException ex)
        {
            Fail(ex);
        }
    }

    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Flush();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Pushes buffered events to disk; called every second and at the end.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (!_dirty || _closed || Failure is not null) return;
            try
            {
                _sink.Flush();
                _dirty = false;
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    private void Fail(Exception ex)
    {
        lock (_lock)
        {
            if (Failure is not null) return;
            Failure = ex;
        }
        ThreadPool.QueueUserWorkItem(_ => Failed?.Invoke(ex));
    }

    /// <summary>Writes a final marker (the end reason), flushes and closes the file.</summary>
    /// <remarks>A chunked recording's manifest takes <paramref name="endReason"/>, else the marker's text after <c>end: </c>.</remarks>
    public async ValueTask CompleteAsync(string? endMarker = null, string? endReason = null)
    {
        if (endMarker is not null) Marker(endMarker);
        endReason ??= endMarker is not null && endMarker.StartsWith("end: ", StringComparison.Ordinal) ? endMarker[5..] : "closed";
        await _stop.CancelAsync().ConfigureAwait(false);
        await _flusher.ConfigureAwait(false);
        lock (_lock)
        {
            if (_closed) return;
            try
            {
                _sink.Stream.Flush();
            }
            catch (IOException ex)
            {
                Failure ??= ex;
            }
            _closed = true;
        }
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
