using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Keyframes;

/// <summary>
/// The screen model and window cuts of a recording fed one chunk at a time, in order: the keyframe before each chunk, then the
/// chunk's windows and markers. Shared by the first-view builder and the recorder, so both derive exactly the same index.
/// </summary>
internal sealed class KeyframeIndexer
{
    private readonly List<RecordingWindowMark> _windows = [];
    private readonly List<RecordingMarker> _markers = [];
    private TerminalScreen? _screen;
    private int _columns = 80, _rows = 24;
    private long _lastStart = -1, _lastTime;

    /// <summary>Chunks fed so far.</summary>
    public int Chunks { get; private set; }

    /// <summary>The screen before the chunk whose text is <paramref name="text"/> (the first chunk's header sizes the screen).</summary>
    public (int Columns, int Rows, string Redraw) KeyframeBefore(byte[] text, int length)
    {
        if (_screen is null)
        {
            var header = ChunkEvents.Header(text, length);
            (_columns, _rows) = (header.Width, header.Height);
            _screen = new TerminalScreen(_columns, _rows);
        }
        return (_screen.Columns, _screen.Rows, _screen.Redraw());
    }

    /// <summary>Replays the chunk (after its keyframe was taken) and cuts its windows; <paramref name="each"/> sees every event.</summary>
    public void Add(byte[] text, int length, Action<AsciicastEvent>? each = null)
    {
        var screen = _screen ?? throw new InvalidOperationException("take the chunk's keyframe first");
        int chunk = Chunks++;
        long windowBytes = 0;
        bool chunkStarted = false;
        foreach (var (offset, eventLength, e) in ChunkEvents.Read(text, 0, length))
        {
            each?.Invoke(e);
            ChunkEvents.Apply(screen, e);
            if (!ChunkEvents.Shown(e)) continue;
            long time = ChunkEvents.Micros(e);
            // A window never spans two chunks, so serving one reads one chunk.
            if (!chunkStarted || (windowBytes >= KeyframeBuilder.WindowBytes && time > _lastStart))
            {
                _lastStart = _windows.Count == 0 ? 0 : Math.Max(time, _lastStart + 1);
                _windows.Add(new RecordingWindowMark(_lastStart, chunk, offset));
                windowBytes = 0;
                chunkStarted = true;
            }
            windowBytes += eventLength;
            _lastTime = Math.Max(_lastTime, time);
            if (e.Type == AsciicastEventType.Marker) _markers.Add(new RecordingMarker(time, e.Data));
        }
    }

    /// <summary>The index of everything fed, for the manifest whose final chain value is <paramref name="finalChain"/>.</summary>
    /// <exception cref="RecordingTamperedException">No event was shown: there is nothing to play.</exception>
    public RecordingIndex Finish(string finalChain)
    {
        if (_windows.Count == 0) throw new RecordingTamperedException("recording holds no events");
        return new RecordingIndex(finalChain, _columns, _rows, Math.Max(_lastTime, _lastStart), _windows, _markers);
    }
}
