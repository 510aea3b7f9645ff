using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Transcripts;

/// <summary>
/// Replays a recording event by event through a <see cref="TerminalScreen"/> and collects both the transcript
/// and the commands typed, in one pass (the index is filled from both when a session ends).
/// </summary>
/// <remarks>
/// A line enters the transcript when it leaves the screen: scrolled off the top, erased by <c>clear</c>, or
/// still shown at the end. What scrolls inside a region (a pager's status line, a full-screen program) or
/// is edited in place (readline redrawing) is therefore not repeated; only the final state of each line is.
/// </remarks>
public sealed class TranscriptBuilder : IScreenObserver
{
    private readonly TerminalScreen _screen;
    private readonly CommandTracker _commands;
    private readonly List<TranscriptLine> _lines = [];
    private readonly bool _keepTranscript;
    private readonly StringBuilder _wrappedPart = new();
    private TimeSpan _wrappedPartTime = TimeSpan.MinValue;
    private TimeSpan _alternateStart;
    private TimeSpan _alternateEnd = TimeSpan.MinValue;
    private string? _alternateName;
    private TimeSpan _lastTime;
    private bool _completed;

    /// <summary>Starts a replay on a terminal of the recording's size; without <paramref name="keepTranscript"/> only the commands are kept (memory stays flat however long the recording).</summary>
    public TranscriptBuilder(int columns = 80, int rows = 24, bool keepTranscript = true)
    {
        _keepTranscript = keepTranscript;
        _screen = new TerminalScreen(columns, rows);
        _commands = new CommandTracker(_screen);
        _screen.Observer = this;
    }

    /// <summary>The commands found so far (complete once <see cref="Complete"/> or <see cref="ToTranscript"/> was called).</summary>
    public IReadOnlyList<TypedCommand> Commands => _commands.Commands;

    /// <summary>Feeds one event: output to the screen, input to the command tracker, resizes to both.</summary>
    public void Add(AsciicastEvent e)
    {
        if (_completed)
            throw new InvalidOperationException("The replay is complete.");
        _lastTime = e.Time > _lastTime ? e.Time : _lastTime;
        switch (e.Type)
        {
            case AsciicastEventType.Output:
                _screen.Now = e.Time;
                _screen.Feed(e.Data);
                break;
            case AsciicastEventType.Input:
                _commands.OnInput(e.Time, e.Data);
                break;
            case AsciicastEventType.Resize:
                if (e.TryGetSize(out int columns, out int rows))
                    _screen.Resize(columns, rows);
                break;
        }
    }

    /// <summary>Ends the replay: what is still on the screen joins the transcript and pending commands are read.</summary>
    public void Complete()
    {
        if (_completed)
            return;
        _completed = true;
        _screen.Flush();
        _commands.Complete();
        if (_screen.IsAlternateScreen)
            CloseAlternateEpisode(_lastTime);
        FlushScreen();
        FlushWrappedPart();
    }

    /// <summary>Completes the replay and returns the transcript.</summary>
    public Transcript ToTranscript()
    {
        Complete();
        return new Transcript(WithMarkedCommands());
    }

    /// <summary>The lines, with each command the screen did not show at a prompt added, marked, after what was shown before it.</summary>
    private TranscriptLine[] WithMarkedCommands()
    {
        var result = new List<TranscriptLine>(_lines.Count);
        int next = 0;
        foreach (var command in _commands.Commands)
        {
            if (command.Mark is null)
                continue;
            while (next < _lines.Count && _lines[next].Time <= command.Time)
                result.Add(_lines[next++]);
            result.Add(new TranscriptLine(command.Time, $"[{command.Mark}] {command.Command.ReplaceLineEndings(" ⏎ ")}"));
        }
        result.AddRange(_lines.Skip(next));
        return result.ToArray();
    }

    void IScreenObserver.LineScrolledOff(ScreenLine line)
    {
        if (!line.Dirty)
            return;
        AppendPart(line);
        line.Dirty = false;
        if (!line.Wrapped)
            FlushWrappedPart();
    }

    void IScreenObserver.ScreenErasing() => FlushScreen();

    void IScreenObserver.LineFeeding() => _commands.OnLineFeed();

    void IScreenObserver.AlternateScreenSwitching(bool entering)
    {
        _commands.OnAlternateScreen(entering);
        if (entering)
        {
            FlushScreen();
            _alternateStart = _screen.Now;
            string? command = _commands.LastCommandSince(_alternateEnd);
            _commands.InFullScreenProgram = FullScreenPrograms.IsKnown(command);
            _alternateName = command ?? NonEmpty(_screen.Title) ?? "full-screen program";
        }
        else
        {
            _commands.InFullScreenProgram = false;
            CloseAlternateEpisode(_screen.Now);
        }
    }

    private void CloseAlternateEpisode(TimeSpan end)
    {
        if (_keepTranscript) _lines.Add(new TranscriptLine(_alternateStart, $"[{_alternateName} — {FormatDuration(end - _alternateStart)}]"));
        _alternateEnd = end;
    }

    /// <summary>Copies every changed line of the normal screen down to the last non-blank one, marking them copied.</summary>
    private void FlushScreen()
    {
        int last = _screen.Rows - 1;
        while (last >= 0 && _screen.GetLine(last).IsBlank())
            last--;
        if (last < 0)
            return;
        // The screen in view may be the alternate one; the transcript is about the normal screen only.
        if (_screen.IsAlternateScreen)
            return;
        for (int r = 0; r <= last; r++)
        {
            var line = _screen.GetLine(r);
            if (line.Dirty)
                AppendPart(line);
            line.Dirty = false;
            if (!line.Wrapped || r == last)
                FlushWrappedPart();
        }
    }

    private void AppendPart(ScreenLine line)
    {
        if (_wrappedPartTime == TimeSpan.MinValue)
            _wrappedPartTime = line.Started ?? _screen.Now;
        line.AppendText(_wrappedPart, 0, line.Cells.Length);
    }

    private void FlushWrappedPart()
    {
        if (_wrappedPartTime == TimeSpan.MinValue)
            return;
        if (_keepTranscript) _lines.Add(new TranscriptLine(_wrappedPartTime, _wrappedPart.ToString().TrimEnd()));
        _wrappedPart.Clear();
        _wrappedPartTime = TimeSpan.MinValue;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>"45s", "2m10s", "1h02m03s".</summary>
    internal static string FormatDuration(TimeSpan d)
    {
        if (d < TimeSpan.Zero)
            d = TimeSpan.Zero;
        long total = (long)Math.Round(d.TotalSeconds);
        long h = total / 3600, m = total / 60 % 60, s = total % 60;
        return h > 0 ? $"{h}h{m:00}m{s:00}s" : m > 0 ? $"{m}m{s:00}s" : $"{s}s";
    }
}
