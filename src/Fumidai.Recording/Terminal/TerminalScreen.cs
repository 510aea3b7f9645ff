using System.Buffers;
using System.Text;

namespace Fumidai.Recording.Terminal;

/// <summary>
/// An xterm-compatible screen model driven by terminal output: the grid of characters, the cursor, scroll
/// region, tab stops and the modes that change what is shown (alternate screen, autowrap, insert).
/// </summary>
/// <remarks>
/// Colours and other renditions (SGR) are kept per cell so a keyframe can redraw the screen; transcripts read only the text. Sequences it does
/// not know are consumed and dropped, never printed.
/// </remarks>
public sealed partial class TerminalScreen : IVtHandler
{
    private readonly VtParser _parser;
    private ScreenLine[] _normal;
    // Made when a program first switches to it: most sessions never do, and a node holds a screen per live session.
    private ScreenLine[]? _alternate;
    private ScreenLine[] _lines;
    private bool[] _tabStops;
    private int _x;
    private int _y;
    private bool _wrapPending;
    private int _top;
    private int _bottom;
    private bool _autoWrap = true;
    private bool _originMode;
    private bool _insertMode;
    private int _lastPrinted = ' ';
    private long _pen;
    private SavedCursor _saved;
    private SavedCursor _savedForAlternate;
    private ScreenLine[] _scratch = new ScreenLine[1];
    private readonly CombinedCells _combined = new();

    private record struct SavedCursor(int X, int Y, bool OriginMode, bool WrapPending, long Pen);

    /// <summary>Creates a blank screen of the given size (asciicast header width and height).</summary>
    public TerminalScreen(int columns = 80, int rows = 24)
    {
        Columns = Math.Clamp(columns, 1, MaxSize);
        Rows = Math.Clamp(rows, 1, MaxSize);
        _normal = NewLines(Columns, Rows);
        _lines = _normal;
        _tabStops = NewTabStops(Columns);
        _bottom = Rows - 1;
        _parser = new VtParser(this);
    }

    /// <summary>Rows (of both screens) holding a rendition array: only those where a non-default rendition was drawn.</summary>
    internal int LinesWithRenditions => _normal.Count(l => l.HasAttributes) + (_alternate?.Count(l => l.HasAttributes) ?? 0);

    /// <summary>Whether the alternate screen's rows exist: only once a program switched to it.</summary>
    internal bool HasAlternateLines => _alternate is not null;

    /// <summary>Bound on either dimension, so a hostile resize event cannot allocate gigabytes.</summary>
    public const int MaxSize = 1000;

    /// <summary>Width in cells.</summary>
    public int Columns { get; private set; }

    /// <summary>Height in rows.</summary>
    public int Rows { get; private set; }

    /// <summary>Cursor column, zero-based.</summary>
    public int CursorColumn => _x;

    /// <summary>Cursor row, zero-based.</summary>
    public int CursorRow => _y;

    /// <summary>The window title last set with OSC 0 or OSC 2.</summary>
    public string? Title { get; private set; }

    /// <summary>True while a full-screen program has switched to the alternate screen (DECSET 47/1047/1049).</summary>
    public bool IsAlternateScreen => _lines == _alternate;

    /// <summary>Bracketed paste mode (DECSET 2004); readline turns it on while it reads a command line.</summary>
    public bool BracketedPaste { get; private set; }

    /// <summary>Counts print operations, so a caller can tell whether typed keys were echoed.</summary>
    public long PrintCount { get; private set; }

    /// <summary>Recording time stamped on lines as they are first written.</summary>
    public TimeSpan Now { get; set; }

    internal IScreenObserver? Observer { get; set; }

    /// <summary>The cursor sits on the last column with the next character due on the next row.</summary>
    internal bool WrapPending => _wrapPending;

    internal ScreenLine GetLine(int row) => _lines[row];

    /// <summary>Feeds terminal output bytes; sequences and UTF-8 characters may be split across calls.</summary>
    public void Feed(ReadOnlySpan<byte> data) => _parser.Feed(data);

    /// <summary>Feeds terminal output text (as stored in asciicast events).</summary>
    public void Feed(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(Math.Min(text.Length, 16 * 1024));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            // In slices, so an enormous event does not need an enormous buffer.
            for (int i = 0; i < text.Length;)
            {
                int n = Math.Min(16 * 1024, text.Length - i);
                if (n < text.Length - i && char.IsHighSurrogate(text[i + n - 1]))
                    n--;
                int bytes = Encoding.UTF8.GetBytes(text.AsSpan(i, n), buffer);
                _parser.Feed(buffer.AsSpan(0, bytes));
                i += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends the stream: an incomplete trailing character shows as U+FFFD, an open sequence is dropped.</summary>
    public void Flush() => _parser.Flush();

    /// <summary>The text of one row, trailing blanks removed; wide characters appear once.</summary>
    public string GetRowText(int row) => _lines[row].ToString();

    /// <summary>All rows as text, one per line, trailing blank rows dropped.</summary>
    public string GetText()
    {
        int last = Rows - 1;
        while (last >= 0 && _lines[last].IsBlank())
            last--;
        var sb = new StringBuilder();
        for (int r = 0; r <= last; r++)
            sb.Append(GetRowText(r)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Changes the size, keeping the text at the top left; rows cut off at the bottom scroll off the top first.</summary>
    public void Resize(int columns, int rows)
    {
        columns = Math.Clamp(columns, 1, MaxSize);
        rows = Math.Clamp(rows, 1, MaxSize);
        if (columns == Columns && rows == Rows)
            return;
        // Keep the cursor's line visible, as xterm does, by scrolling the excess off the top.
        int excess = _y - (rows - 1);
        if (excess > 0)
        {
            _top = 0;
            _bottom = Rows - 1;
            ScrollUp(excess);
            _y -= excess;
        }
        _normal = ResizeLines(_normal, columns, rows);
        bool alt = IsAlternateScreen;
        if (_alternate is not null) _alternate = ResizeLines(_alternate, columns, rows);
        _lines = alt ? _alternate! : _normal;
        var stops = NewTabStops(columns);
        Array.Copy(_tabStops, stops, Math.Min(_tabStops.Length, columns));
        _tabStops = stops;
        Columns = columns;
        Rows = rows;
        _top = 0;
        _bottom = rows - 1;
        _x = Math.Min(_x, columns - 1);
        _y = Math.Min(_y, rows - 1);
        _wrapPending = false;
    }

    private ScreenLine[] NewLines(int columns, int rows)
    {
        var lines = new ScreenLine[rows];
        for (int i = 0; i < rows; i++)
            lines[i] = new ScreenLine(columns, _combined);
        return lines;
    }

    private ScreenLine[] ResizeLines(ScreenLine[] lines, int columns, int rows)
    {
        var result = new ScreenLine[rows];
        for (int i = 0; i < rows; i++)
        {
            result[i] = i < lines.Length ? lines[i] : new ScreenLine(columns, _combined);
            if (result[i].Cells.Length != columns)
                result[i].Resize(columns);
        }
        return result;
    }

    private static bool[] NewTabStops(int columns)
    {
        var stops = new bool[columns];
        for (int i = 8; i < columns; i += 8)
            stops[i] = true;
        return stops;
    }

    // ---- printing -------------------------------------------------------------------------------

    void IVtHandler.PrintAscii(ReadOnlySpan<byte> text)
    {
        PrintCount++;
        _lastPrinted = text[^1];
        while (text.Length > 0)
        {
            if (_wrapPending)
                WrapToNextLine();
            var line = _lines[_y];
            int[] cells = line.Cells;
            int n = Math.Min(Columns - _x, text.Length);
            if (_insertMode)
                ShiftRight(line, _x, n);
            BreakWideAt(line, _x);
            int end = _x + n;
            for (int i = 0; i < n; i++)
                cells[_x + i] = text[i];
            line.FillAttributes(_pen, _x, n);
            if (end < Columns && cells[end] == ScreenLine.WideTail)
                line.Blankout(end);
            Touch(line);
            text = text[n..];
            if (end >= Columns)
            {
                _x = Columns - 1;
                if (_autoWrap)
                    _wrapPending = true;
                else if (text.Length > 0)
                {
                    // Without autowrap the rest lands on the last column; only the final character survives.
                    cells[Columns - 1] = text[^1];
                    text = default;
                }
            }
            else
                _x = end;
        }
    }

    void IVtHandler.Print(int codePoint) => PrintCodePoint(codePoint);

    private void PrintCodePoint(int codePoint)
    {
        int width = CharWidth.Of(codePoint);
        if (width == 0)
        {
            AttachMark(codePoint);
            return;
        }
        PrintCount++;
        _lastPrinted = codePoint;
        if (width == 2 && Columns < 2)
            width = 1;
        if (_wrapPending)
            WrapToNextLine();
        if (width == 2 && _x == Columns - 1)
        {
            if (!_autoWrap)
                return;
            // The wide character does not fit: the last cell stays empty and it goes on the next row.
            BreakWideAt(_lines[_y], _x);
            _lines[_y].Blankout(_x);
            WrapToNextLine();
        }
        var line = _lines[_y];
        int[] cells = line.Cells;
        if (_insertMode)
            ShiftRight(line, _x, width);
        BreakWideAt(line, _x);
        cells[_x] = codePoint;
        line.SetAttribute(_x, _pen);
        if (width == 2)
        {
            cells[_x + 1] = ScreenLine.WideTail;
            line.SetAttribute(_x + 1, _pen);
        }
        int end = _x + width;
        if (end < Columns && cells[end] == ScreenLine.WideTail)
            line.Blankout(end);
        Touch(line);
        if (end >= Columns)
        {
            _x = Columns - 1;
            _wrapPending = _autoWrap;
        }
        else
            _x = end;
    }

    /// <summary>A combining mark joins the character left of the cursor (the one just printed), taking no cell of its own.</summary>
    private void AttachMark(int mark)
    {
        if (!CombinedCells.IsMark(mark))
            return;
        var line = _lines[_y];
        int[] cells = line.Cells;
        int x = _wrapPending ? _x : _x - 1;
        if (x > 0 && cells[x] == ScreenLine.WideTail)
            x--;
        if (x < 0 || cells[x] == ScreenLine.Blank || cells[x] == ScreenLine.WideTail)
            return;
        cells[x] = _combined.Combine(cells[x], mark);
        Touch(line);
    }

    /// <summary>Distinct combined characters this screen holds (bounded by <see cref="CombinedCells.Capacity"/>).</summary>
    internal int CombinedCellCount => _combined.Count;

    private void Touch(ScreenLine line)
    {
        line.Dirty = true;
        line.Started ??= Now;
    }

    /// <summary>Writing over the right half of a wide character erases its left half too.</summary>
    private static void BreakWideAt(ScreenLine line, int x)
    {
        if (line.Cells[x] == ScreenLine.WideTail && x > 0)
            line.Blankout(x - 1);
    }

    private void WrapToNextLine()
    {
        _wrapPending = false;
        _lines[_y].Wrapped = true;
        _x = 0;
        Index();
    }

    private void ShiftRight(ScreenLine line, int x, int n)
    {
        int[] cells = line.Cells;
        n = Math.Min(n, Columns - x);
        Array.Copy(cells, x, cells, x + n, Columns - x - n);
        Array.Clear(cells, x, n);
        line.MoveAttributes(x, x + n, Columns - x - n);
        line.FillAttributes(Rendition.Background(_pen), x, n);
        if (line.IsWideAt(Columns - 1))
            line.Blankout(Columns - 1);
    }

    // ---- vertical movement and scrolling ----------------------------------------------------------

    /// <summary>IND: down one row, scrolling the region up when at its bottom margin.</summary>
    private void Index()
    {
        if (_y == _bottom)
            ScrollUp(1);
        else if (_y < Rows - 1)
            _y++;
    }

    /// <summary>RI: up one row, scrolling the region down when at its top margin.</summary>
    private void ReverseIndex()
    {
        _wrapPending = false;
        if (_y == _top)
            ScrollDown(1);
        else if (_y > 0)
            _y--;
    }

    private void ScrollUp(int n) => ScrollUp(_top, _bottom, n);

    private void ScrollUp(int top, int bottom, int n)
    {
        n = Math.Min(n, bottom - top + 1);
        if (n <= 0)
            return;
        bool evict = top == 0 && !IsAlternateScreen && Observer is not null;
        if (_scratch.Length < n)
            _scratch = new ScreenLine[Math.Max(n, Rows)];
        var removed = _scratch.AsSpan(0, n);
        _lines.AsSpan(top, n).CopyTo(removed);
        if (evict)
            foreach (var line in removed)
                Observer!.LineScrolledOff(line);
        Array.Copy(_lines, top + n, _lines, top, bottom - top + 1 - n);
        for (int i = 0; i < n; i++)
        {
            removed[i].Clear();
            _lines[bottom - n + 1 + i] = removed[i];
            removed[i] = null!;
        }
    }

    private void ScrollDown(int n) => ScrollDown(_top, _bottom, n);

    private void ScrollDown(int top, int bottom, int n)
    {
        n = Math.Min(n, bottom - top + 1);
        for (int i = 0; i < n; i++)
        {
            var line = _lines[bottom];
            Array.Copy(_lines, top, _lines, top + 1, bottom - top);
            line.Clear();
            _lines[top] = line;
        }
    }

    // ---- erasing ----------------------------------------------------------------------------------

    private void EraseCells(int row, int from, int to)
    {
        var line = _lines[row];
        from = Math.Clamp(from, 0, Columns);
        to = Math.Clamp(to, 0, Columns);
        if (from >= to)
            return;
        int[] cells = line.Cells;
        if (cells[from] == ScreenLine.WideTail && from > 0)
            line.Blankout(from - 1);
        if (to < Columns && cells[to] == ScreenLine.WideTail)
            line.Blankout(to);
        Array.Clear(cells, from, to - from);
        line.FillAttributes(Rendition.Background(_pen), from, to - from);
        if (to == Columns)
            line.Wrapped = false;
        line.Dirty = true;
    }

    private void EraseRows(int from, int to)
    {
        long background = Rendition.Background(_pen);
        for (int r = Math.Max(from, 0); r < Math.Min(to, Rows); r++)
        {
            _lines[r].Clear();
            _lines[r].FillAttributes(background, 0, _lines[r].Cells.Length);
        }
    }

    // ---- alternate screen -------------------------------------------------------------------------

    private void SwitchToAlternate(bool clear)
    {
        if (IsAlternateScreen)
            return;
        Observer?.AlternateScreenSwitching(entering: true);
        _lines = _alternate ??= NewLines(Columns, Rows);
        if (clear)
            EraseRows(0, Rows);
    }

    private void SwitchToNormal(bool clearAlternate)
    {
        if (!IsAlternateScreen)
            return;
        if (clearAlternate)
            EraseRows(0, Rows);
        _lines = _normal;
        Observer?.AlternateScreenSwitching(entering: false);
    }
}
