using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Transcripts;

/// <summary>
/// Follows the keys typed and the screen to find the command lines run at shell prompts.
/// </summary>
/// <remarks>
/// The rule: when the operator starts typing on a line, whatever is left of the cursor is the prompt; when
/// Enter is pressed, the command is what the screen shows after the prompt on that logical line, read just
/// before the shell's echo of Enter moves the cursor down (the echo of what was typed may still be in flight
/// when the Enter key itself is recorded). Because the screen, not the keys, is read, readline editing,
/// history recall, completion and reverse search all yield what actually ran.
/// </remarks>
internal sealed class CommandTracker
{
    private readonly TerminalScreen _screen;
    private readonly List<TypedCommand> _commands = [];
    private readonly Queue<(TimeSpan Time, string Prompt)> _entered = new();
    private TypingLine? _typing;
    private int _chainIndex = -1;
    private string? _chainPrompt;
    private bool _inPaste;

    private sealed class TypingLine(string prompt, long printCount)
    {
        public string Prompt { get; } = prompt;
        public long PrintCount { get; } = printCount;
        public bool TypedPrintable { get; set; }
    }

    public CommandTracker(TerminalScreen screen)
    {
        _screen = screen;
    }

    public List<TypedCommand> Commands => _commands;

    /// <summary>Keys the operator typed (an asciicast <c>i</c> event).</summary>
    public void OnInput(TimeSpan time, string keys)
    {
        if (_screen.IsAlternateScreen)
        {
            // Keys typed inside vim, less or top are not commands.
            _typing = null;
            return;
        }
        bool printable = false;
        for (int i = 0; i < keys.Length; i++)
        {
            char c = keys[i];
            _typing ??= new TypingLine(_screen.TextBeforeCursor(), _screen.PrintCount);
            if (c == '\e')
            {
                i = SkipEscapeSequence(keys, i);
                continue;
            }
            if (_inPaste)
            {
                // Pasted newlines do not run anything while bracketed paste is on; readline inserts them.
                printable = true;
                continue;
            }
            switch (c)
            {
                case '\r':
                case '\n':
                    if (c == '\n' && i > 0 && keys[i - 1] == '\r')
                        break;
                    Enter(time);
                    printable = false;
                    break;
                case '\x03': // Ctrl-C
                    Cancel();
                    printable = false;
                    break;
                default:
                    if (c >= ' ' && c != '\x7f')
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
        if (_entered.Count > 0 && !_screen.IsAlternateScreen)
            Capture();
    }

    /// <summary>Called before a switch to the alternate screen, which would hide the command line.</summary>
    public void OnAlternateScreen()
    {
        while (_entered.Count > 0)
            Capture();
        _typing = null;
    }

    /// <summary>Called at the end of the recording: an Enter whose echo was never recorded still counts.</summary>
    public void Complete()
    {
        if (!_screen.IsAlternateScreen)
            while (_entered.Count > 0)
                Capture();
        _entered.Clear();
    }

    /// <summary>The last command run at or after <paramref name="since"/>, naming what a full-screen episode was.</summary>
    public string? LastCommandSince(TimeSpan since) =>
        _commands.Count > 0 && _commands[^1].Time >= since ? _commands[^1].Command : null;

    private void Enter(TimeSpan time)
    {
        var typing = _typing!;
        _typing = null;
        // Printable keys were typed, yet nothing was printed since: echo is off (a password prompt).
        if (typing.TypedPrintable && _screen.PrintCount == typing.PrintCount)
            return;
        _entered.Enqueue((time, typing.Prompt));
    }

    private void Cancel()
    {
        var typing = _typing;
        _typing = null;
        // Ctrl-C at a continuation prompt abandons the whole multi-line command, which therefore never ran.
        if (typing is not null && IsContinuationPrompt(typing.Prompt) && ChainOpen(typing.Prompt))
        {
            _commands.RemoveAt(_commands.Count - 1);
            _chainIndex = -1;
        }
    }

    private void Capture()
    {
        var (time, prompt) = _entered.Dequeue();
        // An empty prompt means the keys went to a program reading its input (cat, a here-document), not a shell.
        if (string.IsNullOrWhiteSpace(prompt))
            return;
        string line = _screen.CursorLineText();
        string command;
        if (line.StartsWith(prompt, StringComparison.Ordinal))
            command = line[prompt.Length..];
        else if (line.StartsWith(prompt.TrimEnd(), StringComparison.Ordinal))
            command = line[prompt.TrimEnd().Length..];
        else
            command = line.Length > prompt.Length ? line[prompt.Length..] : "";
        command = command.Trim();

        if (IsContinuationPrompt(prompt) && ChainOpen(prompt))
        {
            var previous = _commands[^1];
            _commands[^1] = previous with { Command = JoinContinuation(previous.Command, command) };
            return;
        }
        if (command.Length == 0)
            return;
        _commands.Add(new TypedCommand(time, command));
        _chainIndex = _commands.Count - 1;
        _chainPrompt = prompt;
    }

    /// <summary>The last command can still be continued: it is the latest, and began at a different (primary) prompt.</summary>
    private bool ChainOpen(string prompt) =>
        _chainIndex >= 0 && _chainIndex == _commands.Count - 1 && !string.Equals(prompt, _chainPrompt, StringComparison.Ordinal);

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

    private int SkipEscapeSequence(string keys, int i)
    {
        // ESC [ ... final (cursor keys, bracketed paste markers), ESC O x (SS3 keys), or ESC x (Alt+x).
        if (i + 1 >= keys.Length)
            return i;
        char next = keys[i + 1];
        if (next == '[')
        {
            int j = i + 2;
            while (j < keys.Length && (keys[j] < '@' || keys[j] > '~'))
                j++;
            if (j < keys.Length && keys[j] == '~')
            {
                var param = keys.AsSpan(i + 2, j - i - 2);
                if (param.SequenceEqual("200"))
                    _inPaste = true;
                else if (param.SequenceEqual("201"))
                    _inPaste = false;
            }
            return Math.Min(j, keys.Length - 1);
        }
        if (next == 'O')
            return Math.Min(i + 2, keys.Length - 1);
        return i + 1;
    }
}
