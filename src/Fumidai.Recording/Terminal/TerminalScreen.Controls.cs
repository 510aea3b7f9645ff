using System.Text;

namespace Fumidai.Recording.Terminal;

// Control functions, named and numbered as in xterm's ctlseqs and ECMA-48.
public sealed partial class TerminalScreen
{
    private byte[] _titleBytes = [];
    private int _titleLength;

    void IVtHandler.Execute(byte control)
    {
        switch (control)
        {
            case 0x08: // BS
                _wrapPending = false;
                if (_x > 0)
                    _x--;
                break;
            case 0x09: // HT
                _x = NextTabStop(_x);
                _wrapPending = false;
                break;
            case 0x0A: // LF
            case 0x0B: // VT
            case 0x0C: // FF
                LineFeed();
                break;
            case 0x0D: // CR
                _x = 0;
                _wrapPending = false;
                break;
            // BEL, SO, SI (charset shifts) and the rest change nothing visible as text.
        }
    }

    private void LineFeed()
    {
        Observer?.LineFeeding();
        _wrapPending = false;
        Index();
    }

    void IVtHandler.EscDispatch(byte intermediate, byte final)
    {
        if (intermediate == '#')
        {
            if (final == '8')
                AlignmentTest();
            return;
        }
        if (intermediate != 0)
            return; // SCS (designate character set) and the like: no effect on text
        switch (final)
        {
            case (byte)'7': SaveCursor(ref _saved); break;                  // DECSC
            case (byte)'8': RestoreCursor(_saved); break;                   // DECRC
            case (byte)'D': _wrapPending = false; Index(); break;           // IND
            case (byte)'E': _x = 0; LineFeed(); break;                      // NEL
            case (byte)'H': _tabStops[_x] = true; break;                    // HTS
            case (byte)'M': ReverseIndex(); break;                          // RI
            case (byte)'c': FullReset(); break;                             // RIS
        }
    }

    void IVtHandler.OscDispatch(ReadOnlySpan<byte> data)
    {
        // OSC 0 (icon name and title) and OSC 2 (title); OSC 1 is the icon name only.
        int semicolon = data.IndexOf((byte)';');
        if (semicolon < 0)
            return;
        var command = data[..semicolon];
        if (!command.SequenceEqual("0"u8) && !command.SequenceEqual("2"u8))
            return;
        // Shells set the title at every prompt; decode only when it changes.
        var title = data[(semicolon + 1)..];
        if (Title is not null && title.SequenceEqual(_titleBytes.AsSpan(0, _titleLength)))
            return;
        if (_titleBytes.Length < title.Length)
            _titleBytes = new byte[title.Length];
        title.CopyTo(_titleBytes);
        _titleLength = title.Length;
        Title = Encoding.UTF8.GetString(title);
    }

    void IVtHandler.CsiDispatch(byte prefix, ReadOnlySpan<int> p, byte intermediate, byte final)
    {
        if (prefix == '?')
        {
            if (intermediate == 0 && (final == 'h' || final == 'l'))
                foreach (int mode in p)
                    SetPrivateMode(mode, final == 'h');
            else if (intermediate == 0 && final == 'J')
                EraseInDisplay(Arg(p, 0, 0)); // DECSED: same as ED for text
            else if (intermediate == 0 && final == 'K')
                EraseInLine(Arg(p, 0, 0));    // DECSEL
            return;
        }
        if (prefix != 0)
            return;
        if (intermediate != 0)
        {
            if (intermediate == '!' && final == 'p')
                SoftReset(); // DECSTR
            return;
        }
        switch (final)
        {
            case (byte)'@': InsertCharacters(Arg(p, 0, 1)); break;                       // ICH
            case (byte)'A': MoveCursorVertically(-Arg(p, 0, 1)); break;                  // CUU
            case (byte)'B': case (byte)'e': CursorDown(Arg(p, 0, 1)); break;   // CUD, VPR
            case (byte)'C': case (byte)'a': SetColumn(_x + Arg(p, 0, 1)); break;         // CUF, HPR
            case (byte)'D': SetColumn(_x - Arg(p, 0, 1)); break;                         // CUB
            case (byte)'E': MoveCursorVertically(Arg(p, 0, 1)); _x = 0; break;           // CNL
            case (byte)'F': MoveCursorVertically(-Arg(p, 0, 1)); _x = 0; break;          // CPL
            case (byte)'G': case (byte)'`': SetColumn(Arg(p, 0, 1) - 1); break;          // CHA, HPA
            case (byte)'H': case (byte)'f': CursorPosition(Arg(p, 0, 1), Arg(p, 1, 1)); break; // CUP, HVP
            case (byte)'I': for (int i = Arg(p, 0, 1); i > 0 && _x < Columns - 1; i--) _x = NextTabStop(_x); break; // CHT
            case (byte)'J': EraseInDisplay(Arg(p, 0, 0)); break;                         // ED
            case (byte)'K': EraseInLine(Arg(p, 0, 0)); break;                            // EL
            case (byte)'L': InsertLines(Arg(p, 0, 1)); break;                            // IL
            case (byte)'M': DeleteLines(Arg(p, 0, 1)); break;                            // DL
            case (byte)'P': DeleteCharacters(Arg(p, 0, 1)); break;                       // DCH
            case (byte)'S': _wrapPending = false; ScrollUp(Arg(p, 0, 1)); break;         // SU
            case (byte)'T': if (p.Length <= 1) { _wrapPending = false; ScrollDown(Arg(p, 0, 1)); } break; // SD (5 params: mouse tracking)
            case (byte)'X': EraseCharacters(Arg(p, 0, 1)); break;                        // ECH
            case (byte)'Z': for (int i = Arg(p, 0, 1); i > 0 && _x > 0; i--) _x = PreviousTabStop(_x); break; // CBT
            case (byte)'b': Repeat(Arg(p, 0, 1)); break;                                 // REP
            case (byte)'d': CursorPosition(Arg(p, 0, 1), _x + 1); break; // VPA
            case (byte)'m': _pen = Rendition.Apply(_pen, p); break;                       // SGR
            case (byte)'g': ClearTabStops(Arg(p, 0, 0)); break;                          // TBC
            case (byte)'h': case (byte)'l': foreach (int m in p) if (m == 4) _insertMode = final == 'h'; break; // SM/RM IRM
            case (byte)'r': SetScrollRegion(Arg(p, 0, 1), Arg(p, 1, Rows)); break;       // DECSTBM
            case (byte)'s': if (p.Length == 0) SaveCursor(ref _saved); break;            // SCOSC
            case (byte)'u': if (p.Length == 0) RestoreCursor(_saved); break;             // SCORC
            // DSR (n), DA (c), window ops (t) and the rest do not change the text.
        }
    }

    /// <summary>Parameter <paramref name="index"/>, or <paramref name="fallback"/> when absent or zero (ECMA-48 default).</summary>
    private static int Arg(ReadOnlySpan<int> p, int index, int fallback) =>
        index < p.Length && p[index] != 0 ? p[index] : fallback;

    private void SetPrivateMode(int mode, bool set)
    {
        switch (mode)
        {
            case 6: // DECOM
                _originMode = set;
                CursorPosition(1, 1);
                break;
            case 7: // DECAWM
                _autoWrap = set;
                if (!set)
                    _wrapPending = false;
                break;
            case 47:
                if (set) SwitchToAlternate(clear: false); else SwitchToNormal(clearAlternate: false);
                break;
            case 1047:
                if (set) SwitchToAlternate(clear: false); else SwitchToNormal(clearAlternate: true);
                break;
            case 1048:
                if (set) SaveCursor(ref _savedForAlternate); else RestoreCursor(_savedForAlternate);
                break;
            case 1049:
                if (set && !IsAlternateScreen)
                {
                    SaveCursor(ref _savedForAlternate);
                    SwitchToAlternate(clear: true);
                }
                else if (!set && IsAlternateScreen)
                {
                    SwitchToNormal(clearAlternate: false);
                    RestoreCursor(_savedForAlternate);
                }
                break;
            case 2004:
                BracketedPaste = set;
                break;
        }
    }

    private void CursorPosition(int row, int column)
    {
        int top = _originMode ? _top : 0;
        int bottom = _originMode ? _bottom : Rows - 1;
        _y = Math.Clamp(top + row - 1, top, bottom);
        _x = Math.Clamp(column - 1, 0, Columns - 1);
        _wrapPending = false;
    }

    /// <summary>CUD and VPR: zsh leaves a command line this way after a history search, where other shells send a line feed.</summary>
    private void CursorDown(int delta)
    {
        if (delta > 0 && _y < (_y <= _bottom ? _bottom : Rows - 1)) Observer?.LineFeeding();
        MoveCursorVertically(delta);
    }

    private void MoveCursorVertically(int delta)
    {
        // CUU/CUD stop at the scroll margins when the cursor is inside the region, else at the screen edge.
        int top = _y >= _top ? _top : 0;
        int bottom = _y <= _bottom ? _bottom : Rows - 1;
        _y = Math.Clamp(_y + delta, top, bottom);
        _wrapPending = false;
    }

    private void SetColumn(int x)
    {
        _x = Math.Clamp(x, 0, Columns - 1);
        _wrapPending = false;
    }

    private int NextTabStop(int x)
    {
        for (int i = x + 1; i < Columns; i++)
            if (_tabStops[i])
                return i;
        return Columns - 1;
    }

    private int PreviousTabStop(int x)
    {
        for (int i = x - 1; i > 0; i--)
            if (_tabStops[i])
                return i;
        return 0;
    }

    private void ClearTabStops(int mode)
    {
        if (mode == 0)
            _tabStops[_x] = false;
        else if (mode == 3)
            Array.Clear(_tabStops);
    }

    private void EraseInDisplay(int mode)
    {
        switch (mode)
        {
            case 0:
                if (_x == 0 && _y == 0 && !IsAlternateScreen)
                    Observer?.ScreenErasing();
                EraseCells(_y, _x, Columns);
                EraseRows(_y + 1, Rows);
                break;
            case 1:
                EraseRows(0, _y);
                EraseCells(_y, 0, _x + 1);
                break;
            case 2:
                if (!IsAlternateScreen)
                    Observer?.ScreenErasing();
                EraseRows(0, Rows);
                break;
            // 3 erases the scrollback, which this model does not keep.
        }
    }

    private void EraseInLine(int mode)
    {
        switch (mode)
        {
            case 0: EraseCells(_y, _x, Columns); break;
            case 1: EraseCells(_y, 0, _x + 1); break;
            case 2: EraseCells(_y, 0, Columns); break;
        }
    }

    private void EraseCharacters(int n)
    {
        // ECH does not move the cursor and never touches the wrap flag of the line.
        bool wrapped = _lines[_y].Wrapped;
        EraseCells(_y, _x, Math.Min(Columns, _x + n));
        _lines[_y].Wrapped = wrapped;
    }

    private void InsertCharacters(int n)
    {
        var line = _lines[_y];
        BreakWideAt(line, _x);
        ShiftRight(line, _x, n);
        line.Dirty = true;
        _wrapPending = false;
    }

    private void DeleteCharacters(int n)
    {
        var line = _lines[_y];
        int[] cells = line.Cells;
        n = Math.Min(n, Columns - _x);
        BreakWideAt(line, _x);
        if (_x + n < Columns && cells[_x + n] == ScreenLine.WideTail)
            line.Blankout(_x + n);
        Array.Copy(cells, _x + n, cells, _x, Columns - _x - n);
        Array.Clear(cells, Columns - n, n);
        line.MoveAttributes(_x + n, _x, Columns - _x - n);
        line.FillAttributes(Rendition.Background(_pen), Columns - n, n);
        line.Dirty = true;
        _wrapPending = false;
    }

    private void InsertLines(int n)
    {
        if (_y < _top || _y > _bottom)
            return;
        ScrollDown(_y, _bottom, n);
        _x = 0;
        _wrapPending = false;
    }

    private void DeleteLines(int n)
    {
        if (_y < _top || _y > _bottom)
            return;
        // Lines deleted inside the screen are not "scrolled off": they never reach the transcript.
        var observer = Observer;
        Observer = null;
        ScrollUp(_y, _bottom, n);
        Observer = observer;
        _x = 0;
        _wrapPending = false;
    }

    private void Repeat(int n)
    {
        n = Math.Min(n, Columns * Rows);
        int c = _lastPrinted;
        for (int i = 0; i < n; i++)
        {
            if (c < 0x80)
            {
                byte b = (byte)c;
                ((IVtHandler)this).PrintAscii(new ReadOnlySpan<byte>(in b));
            }
            else
                PrintCodePoint(c);
        }
    }

    private void SetScrollRegion(int top, int bottom)
    {
        bottom = Math.Min(bottom, Rows);
        if (top >= bottom)
            return; // DECSTBM needs at least two lines
        _top = top - 1;
        _bottom = bottom - 1;
        CursorPosition(1, 1);
    }

    private void SaveCursor(ref SavedCursor slot) => slot = new SavedCursor(_x, _y, _originMode, _wrapPending, _pen);

    private void RestoreCursor(SavedCursor slot)
    {
        _x = Math.Min(slot.X, Columns - 1);
        _y = Math.Min(slot.Y, Rows - 1);
        _originMode = slot.OriginMode;
        _wrapPending = slot.WrapPending;
        _pen = slot.Pen;
    }

    private void AlignmentTest()
    {
        // DECALN: fill the screen with E, a test pattern some programs still emit.
        for (int r = 0; r < Rows; r++)
        {
            Array.Fill(_lines[r].Cells, 'E');
            _lines[r].ClearAttributes();
            _lines[r].Wrapped = false;
            Touch(_lines[r]);
        }
        _top = 0;
        _bottom = Rows - 1;
        CursorPosition(1, 1);
    }

    private void SoftReset()
    {
        _insertMode = false;
        _originMode = false;
        _autoWrap = true;
        _top = 0;
        _bottom = Rows - 1;
        _wrapPending = false;
        _saved = default;
        _pen = 0;
    }

    private void FullReset()
    {
        SwitchToNormal(clearAlternate: true);
        SoftReset();
        if (!IsAlternateScreen)
            Observer?.ScreenErasing();
        EraseRows(0, Rows);
        _tabStops = NewTabStops(Columns);
        _x = _y = 0;
        BracketedPaste = false;
        Title = null;
    }
}
