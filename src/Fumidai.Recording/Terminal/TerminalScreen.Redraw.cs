using System.Globalization;
using System.Text;

namespace Fumidai.Recording.Terminal;

// Keyframes: the screen written back out as terminal output that recreates it on a blank terminal of the same size.
public sealed partial class TerminalScreen
{
    /// <summary>
    /// Output that, fed to a blank terminal of this size, recreates this screen: the text and renditions of every cell, soft
    /// wraps, the alternate screen (over the normal one it hides), tab stops, saved cursor, scroll region, modes, title, pen and cursor.
    /// </summary>
    /// <remarks>
    /// Not recreated: a saved cursor's origin-mode flag, the character REP repeats, and cells of the alternate screen while the
    /// normal one is shown (entering it again clears them in practice). A soft wrap on the last row is not recreated either,
    /// since recreating it would scroll the screen.
    /// </remarks>
    public string Redraw()
    {
        var p = new Painter(new StringBuilder(Columns * Rows + 64), this);
        if (IsAlternateScreen)
        {
            DrawRows(p, _normal);
            p.MoveTo(_savedForAlternate.Y, _savedForAlternate.X);
            p.SetPen(_savedForAlternate.Pen);
            p.Out.Append("\u001b[?1049h\u001b[0m\u001b[2J");
            p.Pen = 0;
        }
        DrawRows(p, _lines);
        if (!_tabStops.AsSpan().SequenceEqual(NewTabStops(Columns)))
        {
            p.Out.Append("\u001b[3g");
            for (int i = 0; i < Columns; i++)
                if (_tabStops[i])
                {
                    p.MoveTo(0, i);
                    p.Out.Append("\u001bH");
                }
        }
        p.MoveTo(_saved.Y, _saved.X);
        p.SetPen(_saved.Pen);
        p.Out.Append("\u001b7");
        if (_top != 0 || _bottom != Rows - 1) p.Out.Append(CultureInfo.InvariantCulture, $"\u001b[{_top + 1};{_bottom + 1}r");
        if (_originMode) p.Out.Append("\u001b[?6h");
        PlaceCursor(p);
        if (!_autoWrap) p.Out.Append("\u001b[?7l");
        if (_insertMode) p.Out.Append("\u001b[4h");
        if (BracketedPaste) p.Out.Append("\u001b[?2004h");
        if (Title is { } title && !title.Any(char.IsControl)) p.Out.Append("\u001b]2;").Append(title).Append('\u0007');
        p.SetPen(_pen);
        return p.Out.ToString();
    }

    /// <summary>Puts the cursor back, relative to the scroll region in origin mode; a pending wrap is recreated by printing the last cell again.</summary>
    private void PlaceCursor(Painter p)
    {
        int row = _originMode ? _y - _top : _y;
        if (!_wrapPending)
        {
            p.Out.Append(CultureInfo.InvariantCulture, $"\u001b[{row + 1};{_x + 1}H");
            return;
        }
        var line = _lines[_y];
        int x = Columns - 1;
        if (line.Cells[x] == ScreenLine.WideTail && x > 0) x--;
        p.Out.Append(CultureInfo.InvariantCulture, $"\u001b[{row + 1};{x + 1}H");
        if (line.Cells[x] == ScreenLine.Blank)
        {
            p.Out.Append(' ');
            p.SetPen(line.AttributeAt(x));
            p.Out.Append("\u001b[1X");
        }
        else
        {
            p.SetPen(line.AttributeAt(x));
            p.Out.Append(CellText(line.Cells[x]));
        }
    }

    /// <summary>Default renditions for a whole row, shared by the rows that never had one (a redraw reads but never writes them).</summary>
    private long[] BlankRenditions() => _blankRenditions is { } b && b.Length == Columns ? b : _blankRenditions = new long[Columns];

    private long[]? _blankRenditions;

    private void DrawRows(Painter p, ScreenLine[] lines)
    {
        bool continuing = false;
        for (int r = 0; r < Rows; r++)
        {
            var line = lines[r];
            int[] cells = line.Cells;
            long[] attributes = line.HasAttributes ? line.Attributes : BlankRenditions();
            int last = Columns - 1;
            while (last >= 0 && cells[last] == ScreenLine.Blank && attributes[last] == 0)
                last--;
            for (int c = 0; c <= last || (continuing && c == 0);)
            {
                int cell = cells[c];
                if (cell == ScreenLine.WideTail)
                {
                    c++;
                    continue;
                }
                if (cell == ScreenLine.Blank)
                {
                    if (continuing)
                    {
                        // Only printing moves the cursor over a soft wrap: print a space, then erase it.
                        p.Print(" ", 1);
                        p.MoveTo(r, 0);
                        p.Erase(1, attributes[0]);
                        continuing = false;
                        c++;
                        continue;
                    }
                    if (attributes[c] == 0)
                    {
                        c++;
                        continue;
                    }
                    int end = c;
                    while (end <= last && cells[end] == ScreenLine.Blank && attributes[end] == attributes[c])
                        end++;
                    p.MoveTo(r, c);
                    p.Erase(end - c, attributes[c]);
                    c = end;
                    continue;
                }
                if (!continuing) p.MoveTo(r, c);
                continuing = false;
                int width = c + 1 < Columns && cells[c + 1] == ScreenLine.WideTail ? 2 : 1;
                p.SetPen(attributes[c]);
                p.Print(CellText(cell), width);
                c += width;
            }
            continuing = false;
            if (!line.Wrapped || r == Rows - 1 || (p.Wrap && p.Y == r)) continuing = line.Wrapped && r < Rows - 1;
            else if (cells[Columns - 1] == ScreenLine.Blank && lines[r + 1].IsWideAt(0))
            {
                // The wide character that did not fit: printed at the last column, it leaves the gap and wraps.
                p.MoveTo(r, Columns - 1);
                continuing = true;
            }
            else
            {
                p.MoveTo(r, Columns - 1);
                p.Print(" ", 1);
                p.Erase(1, attributes[Columns - 1]); // ECH leaves the pending wrap alone
                continuing = true;
            }
        }
    }

    private string CellText(int cell)
    {
        if (!CombinedCells.IsCombined(cell)) return char.ConvertFromUtf32(cell);
        var sb = new StringBuilder();
        _combined.AppendTo(sb, cell);
        return sb.ToString();
    }

    /// <summary>Everything <see cref="Redraw"/> promises to recreate, as text, so two screens can be compared.</summary>
    internal string DescribeState()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"size {Columns}x{Rows} alt {IsAlternateScreen} cursor {_x},{_y} wrap {_wrapPending} pen {_pen:x}\n");
        sb.Append(CultureInfo.InvariantCulture, $"region {_top}-{_bottom} origin {_originMode} autowrap {_autoWrap} insert {_insertMode} paste {BracketedPaste} title {Title}\n");
        sb.Append(CultureInfo.InvariantCulture, $"saved {_saved.X},{_saved.Y} pen {_saved.Pen:x} tabs {string.Join(',', Enumerable.Range(0, Columns).Where(i => _tabStops[i]))}\n");
        if (IsAlternateScreen)
        {
            sb.Append(CultureInfo.InvariantCulture, $"saved for alternate {_savedForAlternate.X},{_savedForAlternate.Y} pen {_savedForAlternate.Pen:x}\n");
            Describe(sb, _normal);
        }
        Describe(sb, _lines);
        return sb.ToString();
    }

    private void Describe(StringBuilder sb, ScreenLine[] lines)
    {
        for (int r = 0; r < Rows; r++)
        {
            var line = lines[r];
            sb.Append(line.Wrapped && r < Rows - 1 ? "W|" : " |");
            for (int c = 0; c < Columns; c++)
            {
                int cell = line.Cells[c];
                sb.Append(cell == ScreenLine.Blank ? "_" : cell == ScreenLine.WideTail ? ">" : CellText(cell));
                if (line.AttributeAt(c) != 0) sb.Append(CultureInfo.InvariantCulture, $"[{line.AttributeAt(c):x}]");
            }
            sb.Append('\n');
        }
    }

    /// <summary>Writes output while following where it leaves the cursor and pen on a terminal drawn from blank.</summary>
    private sealed class Painter(StringBuilder output, TerminalScreen screen)
    {
        public StringBuilder Out { get; } = output;

        public int X { get; private set; }

        public int Y { get; private set; }

        public bool Wrap { get; private set; }

        public long Pen { get; set; }

        public void SetPen(long pen)
        {
            if (pen == Pen) return;
            Out.Append(Rendition.ToSgr(pen));
            Pen = pen;
        }

        public void MoveTo(int y, int x)
        {
            if (x == X && y == Y && !Wrap) return;
            Out.Append(CultureInfo.InvariantCulture, $"\u001b[{y + 1};{x + 1}H");
            X = x;
            Y = y;
            Wrap = false;
        }

        public void Print(string text, int width)
        {
            if (Wrap || (width == 2 && X == screen.Columns - 1))
            {
                Y++;
                X = 0;
                Wrap = false;
            }
            Out.Append(text);
            X += width;
            if (X >= screen.Columns)
            {
                X = screen.Columns - 1;
                Wrap = true;
            }
        }

        public void Erase(int count, long rendition)
        {
            SetPen(rendition);
            Out.Append(CultureInfo.InvariantCulture, $"\u001b[{count}X");
        }
    }
}
