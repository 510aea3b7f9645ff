using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Transcripts;

/// <summary>The lines fed on the standard input of a session (its <c>i</c> events), for an exec whose program reads commands from it; fed event by event.</summary>
/// <remarks>Line editing is applied as a pty's line discipline would; without a pty the same keys are rare in a script and the
/// result is what an auditor would read anyway. Each line is timed by the event that ended it.</remarks>
public sealed class StdinCommands
{
    private readonly LineEditor _editor = new();
    private readonly List<TypedCommand> _commands = [];
    private TimeSpan _last = TimeSpan.Zero;

    /// <summary>Every non-blank line of input, marked <see cref="CommandMarks.Stdin"/>; a last line without a newline counts.</summary>
    public static IReadOnlyList<TypedCommand> Extract(IEnumerable<AsciicastEvent> events)
    {
        var collector = new StdinCommands();
        foreach (var e in events)
            collector.Add(e);
        return collector.Complete();
    }

    /// <summary>Feeds one event; only input counts.</summary>
    public void Add(AsciicastEvent e)
    {
        if (e.Type != AsciicastEventType.Input)
            return;
        _last = e.Time;
        foreach (char c in e.Data)
            if (_editor.Feed(c) == LineEditor.Key.Enter)
                Add(e.Time);
    }

    /// <summary>The commands, the unfinished last line included.</summary>
    public IReadOnlyList<TypedCommand> Complete()
    {
        Add(_last);
        return _commands;
    }

    private void Add(TimeSpan time)
    {
        string line = _editor.TakeLine(out _).Trim();
        if (line.Length > 0)
            _commands.Add(new TypedCommand(time, line, CommandMarks.Stdin));
    }
}
