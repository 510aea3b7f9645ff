using System.Text;

namespace Fumidai.Recording.Terminal;

/// <summary>One row of the screen: a cell per column, holding a code point (or a <see cref="CombinedCells"/> entry).</summary>
internal sealed class ScreenLine
{
    private readonly CombinedCells _combined;

    /// <summary>Cell value of a position never written or erased; shown as a space.</summary>
    public const int Blank = 0;

    /// <summary>Cell value of the right half of a wide character.</summary>
    public const int WideTail = -1;

    public ScreenLine(int columns, CombinedCells combined)
    {
        Cells = new int[columns];
        Attributes = new long[columns];
        _combined = combined;
    }

    public int[] Cells { get; private set; }

    /// <summary>Each cell's rendition (colours and flags, packed as in <see cref="Rendition"/>); 0 is the default.</summary>
    public long[] Attributes { get; private set; }

    /// <summary>The text continues on the next row because it was wrapped at the right margin (xterm's "soft wrap").</summary>
    public bool Wrapped { get; set; }

    /// <summary>Changed since it was last copied to a transcript; a fresh line counts as changed.</summary>
    public bool Dirty { get; set; } = true;

    /// <summary>When something was first written on the line since it was cleared.</summary>
    public TimeSpan? Started { get; set; }

    public void Clear()
    {
        Array.Clear(Cells);
        Array.Clear(Attributes);
        Wrapped = false;
        Dirty = true;
        Started = null;
    }

    public void Resize(int columns)
    {
        var cells = Cells;
        Array.Resize(ref cells, columns);
        Cells = cells;
        var attributes = Attributes;
        Array.Resize(ref attributes, columns);
        Attributes = attributes;
        if (columns > 0 && IsWideAt(columns - 1))
            Blankout(columns - 1); // a wide character cut in half by the new margin
        Dirty = true;
    }

    /// <summary>Empties one cell, keeping only its background (so an erased coloured cell stays coloured).</summary>
    public void Blankout(int x)
    {
        Cells[x] = Blank;
        Attributes[x] = Rendition.Background(Attributes[x]);
    }

    /// <summary>Whether the cell at <paramref name="x"/> is the left half of a wide character.</summary>
    public bool IsWideAt(int x)
    {
        int c = Cells[x];
        return (c > 0 || CombinedCells.IsCombined(c)) && CharWidth.Of(_combined.BaseOf(c)) == 2;
    }

    public bool IsBlank()
    {
        foreach (int c in Cells)
            if (c != Blank && c != ' ')
                return false;
        return true;
    }

    /// <summary>Appends cells [from, to) as text; trailing blanks are kept (callers trim where it matters).</summary>
    public void AppendText(StringBuilder sb, int from, int to)
    {
        var cells = Cells;
        to = Math.Min(to, cells.Length);
        // A wrapped row's trailing never-written cells are the gap left by a wide character that did not
        // fit; they are not part of the text.
        if (Wrapped && to == cells.Length)
            while (to > from && cells[to - 1] == Blank)
                to--;
        for (int i = Math.Max(from, 0); i < to; i++)
        {
            int c = cells[i];
            if (c == WideTail)
                continue;
            if (c == Blank)
                sb.Append(' ');
            else if (CombinedCells.IsCombined(c))
                _combined.AppendTo(sb, c);
            else if (c < 0x10000)
                sb.Append((char)c);
            else
                sb.Append(char.ConvertFromUtf32(c));
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder(Cells.Length);
        AppendText(sb, 0, Cells.Length);
        return sb.ToString().TrimEnd();
    }
}
