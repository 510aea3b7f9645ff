using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Transcripts;

/// <summary>
/// Follows the keys typed and the screen to find the command lines run at shell prompts, and the lines typed where the
/// screen does not show them.
/// </summary>
/// <remarks>
/// The rule: when the operator starts typing on a line, whatever is left of the cursor is the prompt; when
/// Enter is pressed, the command is what the screen shows after the prompt on that logical line, read just
/// before the shell's echo of Enter moves the cursor down (the echo of what was typed may still be in flight
/// when the Enter key itself is recorded). Because the screen, not the keys, is read, readline editing,
/// history recall, completion and reverse search all yield what actually ran.
/// The screen can be kept from showing a command (echo off, an alternate screen, no prompt), so the keys are also
/// replayed through a <see cref="LineEditor"/>: a line typed that the screen did not show as typed is listed too,
/// with a mark saying why. Input with echo off at an empty or password-like prompt is taken for a secret and left out.
/// </remarks>
internal sealed partial class CommandTracker
{
    private const int MaxShellPrompts = 256;

    private readonly TerminalScreen _screen;
    private readonly LineEditor _editor = new();
    private readonly List<TypedCommand> _commands = [];
    private readonly Queue<Entered> _entered = new();
    private readonly HashSet<string> _shellPrompts = new(StringComparer.Ordinal);
    private TypingLine? _typing;
    private int _chainIndex = -1;
    private string? _chainPrompt;

    private sealed class TypingLine(string prompt, long printCount)
    {
        public string Prompt { get; } = prompt;
        public long PrintCount { get; } = printCount;
        public bool TypedPrintable { get; set; }
    }

    /// <summary>An Enter waiting for its echo: the prompt it was typed at, the keys' line, and which screen was shown.</summary>
    private readonly record struct Entered(TimeSpan Time, string Prompt, string Typed, bool Certain, bool Alternate);

    public CommandTracker(TerminalScreen screen)
    {
        _screen = screen;
    }

    public List<TypedCommand> Commands => _commands;

    /// <summary>Whether the alternate screen now shown belongs to a known full-screen program (its keys are not commands).</summary>
    public bool InFullScreenProgram { get; set; }

    /// <summary>Keys the operator typed (an asciicast <c>i</c> event).</summary>
    public void OnInput(TimeSpan time, string keys)
    {
        if (_screen.IsAlternateScreen && InFullScreenProgram)
        {
            // Keys typed inside vim, less or top are not commands.
            _typing = null;
            _editor.Clear();
            return;
        }
        bool printable = false;
        foreach (char c in keys)
        {
            _typing ??= new TypingLine(_screen.TextBeforeCursor(), _screen.PrintCount);
            switch (_editor.Feed(c))
            {
                case LineEditor.Key.Enter:
                    Enter(time);
                    printable = false;
                    break;
                case LineEditor.Key.Cancel:
                    Cancel();
                    printable = false;
                    break;
                case LineEditor.Key.Printable:
                    printable = true;
                    break;
            }
        }
        // Only keys from earlier events count as "typed before Enter" for echo detection: keys in the same
        // event as Enter have had no chance to be echoed yet.
        if (printable && _typing is not null)
            _typing.TypedPrintable = true;
    }

    /// <summary>Called just before a line feed: the moment the shell echoes Enter.</summary>
    public void OnLineFeed()
    {
        if (_entered.Count > 0 && _entered.Peek().Alternate == _screen.IsAlternateScreen)
            Capture();
    }

    /// <summary>Called before a switch to the alternate screen (which would hide the command line) and after one back.</summary>
    public void OnAlternateScreen(bool entering)
    {
        while (_entered.Count > 0)
        {
            if (entering)
                Capture();
            else
            {
                // The alternate screen is gone (and may have been erased): only the keys are left.
                var e = _entered.Dequeue();
                AddTyped(e.Time, e.Prompt, e.Typed, CommandMarks.AlternateScreen);
            }
        }
        _typing = null;
    }

    /// <summary>Called at the end of the recording: an Enter whose echo was never recorded still counts.</summary>
    public void Complete()
    {
        while (_entered.Count > 0)
            Capture();
    }

    /// <summary>The last command run at or after <paramref name="since"/>, naming what a full-screen episode was.</summary>
    public string? LastCommandSince(TimeSpan since) =>
        _commands.Count > 0 && _commands[^1].Time >= since ? _commands[^1].Command : null;

    private void Enter(TimeSpan time)
    {
        var typing = _typing!;
        _typing = null;
        string typed = _editor.TakeLine(out bool certain);
        // Printable keys were typed, yet nothing was printed since: echo is off (a password prompt, or stty -echo).
        if (typing.TypedPrintable && _screen.PrintCount == typing.PrintCount)
        {
            AddTyped(time, typing.Prompt, typed, CommandMarks.WithoutEcho);
            return;
        }
        _entered.Enqueue(new Entered(time, typing.Prompt, typed, certain, _screen.IsAlternateScreen));
    }

    private void Cancel()
    {
        var typing = _typing;
        _typing = null;
        // Ctrl-C at a continuation prompt abandons the whole multi-line command, which therefore never ran.
        if (typing is not null && Continues(typing.Prompt))
        {
            _commands.RemoveAt(_commands.Count - 1);
            _chainIndex = -1;
        }
    }

    private void Capture()
    {
        var (time, prompt, typed, certain, alternate) = _entered.Dequeue();
        bool noPrompt = string.IsNullOrWhiteSpace(prompt);
        // Typed ahead while a command ran: the tty echoed the keys at the start of a line, then the shell printed its prompt
        // and redrew them after it. The prompt is on the line after all.
        bool typedAhead = false;
        if (noPrompt && KnownPromptIn(_screen.CursorLineText()) is { } seen)
        {
            prompt = seen;
            noPrompt = false;
            typedAhead = true;
        }
        string shown = ShownCommand(prompt, typedAhead);
        if (shown.Length > 0)
        {
            if (alternate || noPrompt)
                _commands.Add(new TypedCommand(time, shown.TrimStart(), alternate ? CommandMarks.AlternateScreen : CommandMarks.NoPrompt));
            else
                AddShown(time, prompt, shown);
        }
        // The keys make a different line than the screen shows: the screen hid it (echo off, output over it).
        if (certain && typed.Trim().Length > 0 && !string.Equals(typed.Trim(), shown.Trim(), StringComparison.Ordinal))
            AddTyped(time, prompt, typed, CommandMarks.WithoutEcho);
    }

    /// <summary>
    /// What the cursor's line shows after the prompt (after its last appearance when keys were typed ahead of it), with
    /// its indentation: a continuation line keeps it, as typed.
    /// </summary>
    private string ShownCommand(string prompt, bool typedAhead)
    {
        string line = _screen.CursorLineText();
        string command;
        if (typedAhead)
            command = line[(line.LastIndexOf(prompt, StringComparison.Ordinal) + prompt.Length)..];
        else if (line.StartsWith(prompt, StringComparison.Ordinal))
            command = line[prompt.Length..];
        else if (line.StartsWith(prompt.TrimEnd(), StringComparison.Ordinal))
            command = line[prompt.TrimEnd().Length..];
        else
            command = line.Length > prompt.Length ? line[prompt.Length..] : "";
        return command.TrimEnd();
    }

    private void AddShown(TimeSpan time, string prompt, string command)
    {
        if (_shellPrompts.Count < MaxShellPrompts)
            _shellPrompts.Add(prompt);
        if (Continues(prompt))
        {
            var previous = _commands[^1];
            _commands[^1] = previous with { Command = JoinContinuation(previous.Command, command) };
            return;
        }
        _commands.Add(new TypedCommand(time, command.TrimStart()));
        _chainIndex = _commands.Count - 1;
        _chainPrompt = prompt;
    }

    /// <summary>A line known only from the keys; left out when it may be a secret typed at a password prompt.</summary>
    private void AddTyped(TimeSpan time, string prompt, string typed, string mark)
    {
        typed = typed.Trim();
        if (typed.Length == 0 || MayBeSecret(prompt))
            return;
        _commands.Add(new TypedCommand(time, typed, mark));
    }

    /// <summary>The last command can still be continued: it is the latest, and began at a different (primary) prompt.</summary>
    private bool ChainOpen(string prompt) =>
        _chainIndex >= 0 && _chainIndex == _commands.Count - 1 && !string.Equals(prompt, _chainPrompt, StringComparison.Ordinal);

    /// <summary>A line typed at <paramref name="prompt"/> goes on with the open multi-line command rather than starting one.</summary>
    private bool Continues(string prompt) =>
        ChainOpen(prompt) && (IsContinuationPrompt(prompt) || IsPsqlContinuation(_chainPrompt!, prompt));

    /// <summary>
    /// psql's PROMPT2 is its PROMPT1 with the <c>=</c> after the database name replaced by what is still open: <c>-</c> (a
    /// statement), a quote or a parenthesis (<c>postgres=# </c>, then <c>postgres-# </c>).
    /// </summary>
    private static bool IsPsqlContinuation(string primary, string prompt)
    {
        var p = prompt.AsSpan().TrimEnd();
        var first = primary.AsSpan().TrimEnd();
        if (p.Length != first.Length || p.Length < 3 || p[^1] is not ('#' or '>') || p[^1] != first[^1])
            return false;
        int at = first.LastIndexOf('=');
        return at == p.Length - 2 && p[..at].SequenceEqual(first[..at]) && p[at] is ('-' or '\'' or '"' or '(');
    }

    /// <summary>PS2: "&gt; " in bash and dash, "dquote&gt; ", "for&gt; " and the like in zsh.</summary>
    private static bool IsContinuationPrompt(string prompt)
    {
        var p = prompt.AsSpan().Trim();
        if (p.Length == 0 || p.Length > 24 || p[^1] != '>')
            return false;
        foreach (char c in p[..^1])
            if (!char.IsAsciiLetterLower(c) && c != ' ')
                return false;
        return true;
    }

    private static string JoinContinuation(string previous, string next)
    {
        int backslashes = 0;
        for (int i = previous.Length - 1; i >= 0 && previous[i] == '\\'; i--)
            backslashes++;
        // Backslash-newline is removed by the shell; an open quote keeps the newline.
        return backslashes % 2 == 1 ? previous[..^1] + next : previous + "\n" + next;
    }
}
