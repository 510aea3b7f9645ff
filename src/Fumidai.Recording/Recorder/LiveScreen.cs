using System.Threading.Channels;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Recorder;

/// <summary>
/// A running session's screen for live viewers: the recorder feeds it what it records, it keeps the screen model current,
/// and each viewer gets a snapshot of the screen first and then every frame, so one who joins late sees what the operator sees.
/// </summary>
/// <remarks>
/// Each viewer has a bounded queue: a viewer that falls behind is dropped (her queue ends with <see cref="ViewerTooSlowException"/>)
/// rather than holding memory or the session; she may join again and starts from a fresh snapshot.
/// </remarks>
public sealed class LiveScreen
{
    /// <summary>Frames a viewer may have waiting; output events are at most a channel read each, so this bounds her memory.</summary>
    public const int ViewerBacklog = 256;

    private readonly object _lock = new();
    private readonly TerminalScreen _screen;
    private readonly List<Channel<LiveFrame>> _viewers = [];
    private TimeSpan _last;
    private bool _ended;

    public LiveScreen(int columns, int rows) => _screen = new TerminalScreen(columns, rows);

    /// <summary>Viewers watching now.</summary>
    public int ViewerCount
    {
        get
        {
            lock (_lock) return _viewers.Count;
        }
    }

    public void Output(TimeSpan at, string text)
    {
        lock (_lock)
        {
            if (_ended) return;
            _screen.Feed(text);
            Publish(new LiveFrame(LiveFrameKind.Output, _last = at, text));
        }
    }

    /// <summary>Output that is valid UTF-8: the screen reads the bytes as they are; a string is made only for viewers.</summary>
    public void Output(TimeSpan at, ReadOnlySpan<byte> utf8)
    {
        lock (_lock)
        {
            if (_ended) return;
            _screen.Feed(utf8);
            _last = at;
            if (_viewers.Count > 0) Publish(new LiveFrame(LiveFrameKind.Output, at, System.Text.Encoding.UTF8.GetString(utf8)));
        }
    }

    public void Resize(TimeSpan at, int columns, int rows)
    {
        lock (_lock)
        {
            if (_ended) return;
            _screen.Resize(columns, rows);
            Publish(new LiveFrame(LiveFrameKind.Resize, _last = at, "", _screen.Columns, _screen.Rows));
        }
    }

    /// <summary>The session ended: every viewer gets the end frame and her queue completes.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (_ended) return;
            _ended = true;
            foreach (var viewer in _viewers)
            {
                viewer.Writer.TryWrite(new LiveFrame(LiveFrameKind.End, _last));
                viewer.Writer.TryComplete();
            }
            _viewers.Clear();
        }
    }

    /// <summary>Starts watching: the first frame is the current screen. Dispose the result when the viewer leaves.</summary>
    public LiveViewer Watch()
    {
        var channel = Channel.CreateBounded<LiveFrame>(new BoundedChannelOptions(ViewerBacklog)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_lock)
        {
            channel.Writer.TryWrite(Snapshot());
            if (_ended)
            {
                channel.Writer.TryWrite(new LiveFrame(LiveFrameKind.End, _last));
                channel.Writer.TryComplete();
            }
            else
            {
                _viewers.Add(channel);
            }
        }
        return new LiveViewer(channel.Reader, () =>
        {
            lock (_lock) _viewers.Remove(channel);
        });
    }

    /// <summary>Text that redraws the screen on a blank terminal of its size: colours, the alternate screen and the cursor included.</summary>
    private LiveFrame Snapshot() => new(LiveFrameKind.Screen, _last, _screen.Redraw(), _screen.Columns, _screen.Rows);

    private void Publish(LiveFrame frame)
    {
        for (int i = _viewers.Count - 1; i >= 0; i--)
        {
            var viewer = _viewers[i];
            if (viewer.Writer.TryWrite(frame)) continue;
            viewer.Writer.TryComplete(new ViewerTooSlowException());
            _viewers.RemoveAt(i);
        }
    }
}

/// <summary>One viewer of a <see cref="LiveScreen"/>: her frames, until she leaves (dispose) or the session ends.</summary>
public sealed class LiveViewer(ChannelReader<LiveFrame> frames, Action leave) : IDisposable
{
    public ChannelReader<LiveFrame> Frames { get; } = frames;

    public void Dispose() => leave();
}

/// <summary>A live viewer read more slowly than the session wrote and was dropped; joining again starts from a fresh snapshot.</summary>
public sealed class ViewerTooSlowException() : Exception("the viewer fell behind the session and was dropped; join again for a fresh screen");
