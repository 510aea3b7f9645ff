using System.Text;

namespace Fumidai.Recording.Terminal;

// Reading text back as logical lines: rows joined where the terminal wrapped them.
public sealed partial class TerminalScreen
{
    /// <summary>The first and last rows of the wrapped (logical) line containing <paramref name="row"/>.</summary>
    internal (int First, int Last) LogicalLineAt(int row)
    {
        int first = row, last = row;
        while (first > 0 && _lines[first - 1].Wrapped)
            first--;
        while (last < Rows - 1 && _lines[last].Wrapped)
            last++;
        return (first, last);
    }

    /// <summary>The text of rows <paramref name="first"/>..<paramref name="last"/> as one line, trailing blanks removed.</summary>
    internal string TextOfRows(int first, int last)
    {
        var sb = new StringBuilder();
        for (int r = first; r <= last; r++)
            _lines[r].AppendText(sb, 0, Columns);
        return sb.ToString().TrimEnd();
    }

    /// <summary>The logical line containing the cursor, trailing blanks removed.</summary>
    internal string CursorLineText()
    {
        var (first, last) = LogicalLineAt(_y);
        return TextOfRows(first, last);
    }

    /// <summary>What the logical line holds left of the cursor (a shell prompt, when the operator starts typing).</summary>
    internal string TextBeforeCursor()
    {
        var (first, _) = LogicalLineAt(_y);
        var sb = new StringBuilder();
        for (int r = first; r < _y; r++)
            _lines[r].AppendText(sb, 0, Columns);
        _lines[_y].AppendText(sb, 0, _wrapPending ? Columns : _x);
        return sb.ToString();
    }
}
