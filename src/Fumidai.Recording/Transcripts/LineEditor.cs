using System.Text;

namespace Fumidai.Recording.Transcripts;

/// <summary>
/// Rebuilds the line a shell reads from the keys typed, applying the editing keys that readline and the tty's line
/// discipline share; keys whose effect depends on state we do not have (history, completion, yank) make the line uncertain.
/// </summary>
internal sealed class LineEditor
{
    /// <summary>A line longer than this is not a typed command; the rest is dropped (and the line is uncertain).</summary>
    private const int MaxLine = 1 << 20;
    private const int MaxSequence = 16;

    private readonly StringBuilder _line = new();
    private readonly StringBuilder _sequence = new();
    private int _cursor;
    private bool _uncertain;
    private bool _afterCr;
    private bool _inPaste;
    private Escape _escape;

    private enum Escape { None, Started, Csi, Ss3 }

    /// <summary>What a key did.</summary>
    public enum Key { None, Printable, Enter, Cancel }

    /// <summary>Whether nothing is pending on the line.</summary>
    public bool IsEmpty => _line.Length == 0;

    /// <summary>Applies one character of input.</summary>
    public Key Feed(char c)
    {
        bool afterCr = _afterCr;
        _afterCr = false;
        switch (_escape)
        {
            case Escape.Started:
                _escape = c switch { '[' => Escape.Csi, 'O' => Escape.Ss3, _ => Escape.None };
                _sequence.Clear();
                // ESC then a key is Alt+key: word moves, yank-last-arg and the like.
                if (_escape == Escape.None) _uncertain = true;
                return Key.None;
            case Escape.Ss3:
                _escape = Escape.None;
                CursorKey(c, "");
                return Key.None;
            case Escape.Csi:
                if (c >= 0x20 && c <= 0x3f)
                {
                    if (_sequence.Length < MaxSequence) _sequence.Append(c);
                    return Key.None;
                }
                _escape = Escape.None;
                if (c >= 0x40 && c <= 0x7e)
                {
                    CursorKey(c, _sequence.ToString());
                    return Key.None;
                }
                break; // A broken sequence: the character is an ordinary key.
        }
        if (c == '\e')
        {
            _escape = Escape.Started;
            return Key.None;
        }
        if (_inPaste)
        {
            // A pasted newline is inserted, not run, while bracketed paste is on.
            if (c is '\r' or '\n') Insert('\n');
            else if (!char.IsControl(c)) Insert(c);
            return Key.Printable;
        }
        switch (c)
        {
            case '\r':
                _afterCr = true;
                return Key.Enter;
            case '\n':
                return afterCr ? Key.None : Key.Enter;
            case '\x03':
                Clear();
                return Key.Cancel;
            case '\x7f' or '\b':
                if (_cursor > 0) _line.Remove(--_cursor, 1);
                return Key.None;
            case '\x15': // Ctrl-U
                _line.Remove(0, _cursor);
                _cursor = 0;
                return Key.None;
            case '\x17': // Ctrl-W: back over blanks, then over the word
                int start = _cursor;
                while (start > 0 && _line[start - 1] == ' ') start--;
                while (start > 0 && _line[start - 1] != ' ') start--;
                _line.Remove(start, _cursor - start);
                _cursor = start;
                return Key.None;
            case '\x01': _cursor = 0; return Key.None;
            case '\x05': _cursor = _line.Length; return Key.None;
            case '\x02': _cursor = Math.Max(0, _cursor - 1); return Key.None;
            case '\x06': _cursor = Math.Min(_line.Length, _cursor + 1); return Key.None;
            case '\x0b': _line.Length = _cursor; return Key.None;
            case '\x04':
                if (_cursor < _line.Length) _line.Remove(_cursor, 1);
                return Key.None;
            // Tab, history (Ctrl-P/N/R/S/O), yank, transpose, Ctrl-X prefixes, quoted insert, undo.
            case '\t' or '\x10' or '\x0e' or '\x12' or '\x13' or '\x0f' or '\x19' or '\x14' or '\x18' or '\x16' or '\x1f':
                _uncertain = true;
                return Key.None;
        }
        // C0 and C1 controls never reach a command line (and must not reach an auditor's terminal from the index).
        if (char.IsControl(c))
            return Key.None;
        Insert(c);
        return Key.Printable;
    }

    /// <summary>The line ended by Enter, and whether it is exactly what was typed; starts a new line.</summary>
    public string TakeLine(out bool certain)
    {
        string line = _line.ToString();
        certain = !_uncertain;
        Clear();
        return line;
    }

    /// <summary>Forgets the line (the keys went to a program that is not a shell).</summary>
    public void Clear()
    {
        _line.Clear();
        _cursor = 0;
        _uncertain = false;
    }

    private void Insert(char c)
    {
        if (_line.Length >= MaxLine)
        {
            _uncertain = true;
            return;
        }
        _line.Insert(_cursor++, c);
    }

    private void CursorKey(char final, string parameters)
    {
        // Modifiers (ESC [ 1 ; 5 C) turn cursor keys into word moves, whose reach we do not follow.
        if (parameters.Contains(';'))
        {
            _uncertain = true;
            return;
        }
        switch (final)
        {
            case 'C': _cursor = Math.Min(_line.Length, _cursor + 1); break;
            case 'D': _cursor = Math.Max(0, _cursor - 1); break;
            case 'H': _cursor = 0; break;
            case 'F': _cursor = _line.Length; break;
            case '~':
                switch (parameters)
                {
                    case "1" or "7": _cursor = 0; break;
                    case "4" or "8": _cursor = _line.Length; break;
                    case "3":
                        if (_cursor < _line.Length) _line.Remove(_cursor, 1);
                        break;
                    case "200": _inPaste = true; break;
                    case "201": _inPaste = false; break;
                    case "2": break;
                    default: _uncertain = true; break;
                }
                break;
            default:
                // Up and down recall history; anything else we do not know.
                _uncertain = true;
                break;
        }
    }
}
