using System.Diagnostics;
using System.Text;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Recorder;

/// <summary>Records one terminal session as asciicast v2, flushed to disk (fsync) at least every second.</summary>
/// <remarks>
/// Output and input arrive on different tasks, so writes are serialised by a lock; bytes are decoded as UTF-8 per
/// stream with decoders that carry split sequences across calls. A write failure (disk full) is reported once through
/// <see cref="Failed"/> so the bastion can close the session instead of losing recording data silently.
/// </remarks>
public sealed class SessionRecorder : IAsyncDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly object _lock = new();
    private readonly FileStream _file;
    private readonly AsciicastWriter _writer;
    private readonly Decoder _output = Encoding.UTF8.GetDecoder();
    private readonly Decoder _input = Encoding.UTF8.GetDecoder();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;
    private char[] _chars = new char[4096];
    private bool _dirty;
    private bool _closed;

    private SessionRecorder(string path, FileStream file, AsciicastHeader header)
    {
        Path = path;
        _file = file;
        _writer = new AsciicastWriter(file, leaveOpen: true);
        _writer.WriteHeader(header);
        _file.Flush(flushToDisk: true);
        _flusher = FlushLoopAsync();
    }

    public string Path { get; }

    /// <summary>Raised once when the recording can no longer be written.</summary>
    public event Action<Exception>? Failed;

    public Exception? Failure { get; private set; }

    /// <summary>Bytes of terminal output and of input recorded.</summary>
    public long OutputBytes { get; private set; }

    public long InputBytes { get; private set; }

    /// <summary>Creates the file (owner-only) and writes the header.</summary>
    public static SessionRecorder Create(string path, AsciicastHeader header)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 64 * 1024,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        return new SessionRecorder(path, file, header);
    }

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

    private void WriteDecoded(AsciicastEventType type, Decoder decoder, ReadOnlySpan<byte> data)
    {
        int needed = decoder.GetCharCount(data, flush: false);
        if (needed > _chars.Length) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int count = decoder.GetChars(data, _chars, flush: false);
        if (count > 0) Write(type, new string(_chars, 0, count));
    }

    private void Write(AsciicastEventType type, string data)
    {
        if (_closed || Failure is not null) return;
        try
        {
            _writer.WriteEvent(Now, type, data);
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
                _file.Flush(flushToDisk: true);
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
        Failure = ex;
        ThreadPool.QueueUserWorkItem(_ => Failed?.Invoke(ex));
    }

    /// <summary>Writes a final marker (the end reason), flushes and closes the file.</summary>
    public async ValueTask CompleteAsync(string? endMarker = null)
    {
        if (endMarker is not null) Marker(endMarker);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _flusher.ConfigureAwait(false);
        lock (_lock)
        {
            if (_closed) return;
            try
            {
                _file.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                Failure ??= ex;
            }
            _closed = true;
        }
        try
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Failure ??= ex;
        }
    }

    public ValueTask DisposeAsync() => CompleteAsync();
}
