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
        _combined = combined;
    }

    public int[] Cells { get; private set; }

    /// <summary>Each cell's rendition (colours and flags, packed as in <see cref="Rendition"/>); 0 is the default.</summary>
    /// <remarks>
    /// Allocated at the first non-default rendition: most rows of a quiet session are plain text, and a node holds a
    /// screen per live session. Writers that may store 0 use <see cref="SetAttribute"/> and <see cref="FillAttributes"/>.
    /// </remarks>
    public long[] Attributes => _attributes ??= new long[Cells.Length];

    private long[]? _attributes;

    public bool HasAttributes => _attributes is not null;

    /// <summary>The rendition of cell <paramref name="x"/>, without allocating.</summary>
    public long AttributeAt(int x) => _attributes is null ? 0 : _attributes[x];

    public void SetAttribute(int x, long value)
    {
        if (_attributes is null && value == 0) return;
        Attributes[x] = value;
    }

    public void FillAttributes(long value, int start, int count)
    {
        if (_attributes is null && value == 0) return;
        Array.Fill(Attributes, value, start, count);
    }

    /// <summary>Moves <paramref name="count"/> renditions from <paramref name="from"/> to <paramref name="to"/> within the row.</summary>
    public void MoveAttributes(int from, int to, int count)
    {
        if (_attributes is not null) Array.Copy(_attributes, from, _attributes, to, count);
    }

    public void ClearAttributes()
    {
        if (_attributes is not null) Array.Clear(_attributes);
    }

    /// <summary>The text continues on the next row because it was wrapped at the right margin (xterm's "soft wrap").</summary>
    public bool Wrapped { get; set; }

    /// <summary>Changed since it was last copied to a transcript; a fresh line counts as changed.</summary>
    public bool Dirty { get; set; } = true;

    /// <summary>When something was first written on the line since it was cleared.</summary>
    public TimeSpan? Started { get; set; }

    public void Clear()
    {
        Array.Clear(Cells);
        ClearAttributes();
        Wrapped = false;
        Dirty = true;
        Started = null;
    }

    public void Resize(int columns)
    {
        var cells = Cells;
        Array.Resize(ref cells, columns);
        Cells = cells;
        if (_attributes is not null) Array.Resize(ref _attributes, columns);
        if (columns > 0 && IsWideAt(columns - 1))
            Blankout(columns - 1); // a wide character cut in half by the new margin
        Dirty = true;
    }

    /// <summary>Empties one cell, keeping only its background (so an erased coloured cell stays coloured).</summary>
    public void Blankout(int x)
    {
        Cells[x] = Blank;
        if (_attributes is not null) _attributes[x] = Rendition.Background(_attributes[x]);
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
