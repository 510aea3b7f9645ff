using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Transcripts;

/// <summary>The lines fed on the standard input of a session (its <c>i</c> events), for an exec whose program reads commands from it.</summary>
/// <remarks>Line editing is applied as a pty's line discipline would; without a pty the same keys are rare in a script and the
/// result is what an auditor would read anyway. Each line is timed by the event that ended it.</remarks>
public static class StdinCommands
{
    /// <summary>Every non-blank line of input, marked <see cref="CommandMarks.Stdin"/>; a last line without a newline counts.</summary>
    public static IReadOnlyList<TypedCommand> Extract(IEnumerable<AsciicastEvent> events)
    {
        var editor = new LineEditor();
        var commands = new List<TypedCommand>();
        var last = TimeSpan.Zero;
        foreach (var e in events)
        {
            if (e.Type != AsciicastEventType.Input)
                continue;
            last = e.Time;
            foreach (char c in e.Data)
                if (editor.Feed(c) == LineEditor.Key.Enter)
                    Add(commands, e.Time, editor);
        }
        Add(commands, last, editor);
        return commands;
    }

    private static void Add(List<TypedCommand> commands, TimeSpan time, LineEditor editor)
    {
        string line = editor.TakeLine(out _).Trim();
        if (line.Length > 0)
            commands.Add(new TypedCommand(time, line, CommandMarks.Stdin));
    }
}
