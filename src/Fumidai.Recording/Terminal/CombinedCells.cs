using System.Globalization;
using System.Text;

namespace Fumidai.Recording.Terminal;

/// <summary>
/// Characters carrying combining marks, numbered so that a screen cell stays one <see cref="int"/>: a cell value of
/// -2 or less names an entry here, and moves, scrolls and erases with its cell like any other.
/// </summary>
/// <remarks>
/// Both the number of distinct entries and the length of one are bounded, so output made of endless new
/// combinations cannot grow memory; past the bounds further marks are dropped and the base text stays.
/// </remarks>
internal sealed class CombinedCells
{
    /// <summary>How many distinct combinations one screen keeps.</summary>
    public const int Capacity = 4096;

    /// <summary>Longest text (in UTF-16 units) one cell holds.</summary>
    public const int MaxLength = 32;

    private const int FirstId = -2;
    private readonly List<string> _texts = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Count => _texts.Count;

    public static bool IsCombined(int cell) => cell <= FirstId;

    /// <summary>Whether the code point joins the character before it: combining and enclosing marks only.</summary>
    /// <remarks>Format characters (bidi overrides, zero-width spaces) would let a transcript read differently from what ran.</remarks>
    public static bool IsMark(int codePoint) =>
        CharUnicodeInfo.GetUnicodeCategory(codePoint) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;

    /// <summary>The cell value for <paramref name="cell"/> with <paramref name="mark"/> after it; the cell unchanged past the bounds.</summary>
    public int Combine(int cell, int mark)
    {
        string text = TextOf(cell) + char.ConvertFromUtf32(mark);
        if (text.Length > MaxLength)
            return cell;
        if (_ids.TryGetValue(text, out int id))
            return id;
        if (_texts.Count >= Capacity)
            return cell;
        _texts.Add(text);
        id = FirstId - (_texts.Count - 1);
        _ids[text] = id;
        return id;
    }

    /// <summary>The base character's code point, which decides the cell's width.</summary>
    public int BaseOf(int cell) => IsCombined(cell) ? char.ConvertToUtf32(TextOf(cell), 0) : cell;

    public void AppendTo(StringBuilder sb, int cell) => sb.Append(TextOf(cell));

    private string TextOf(int cell) => IsCombined(cell) ? _texts[FirstId - cell] : char.ConvertFromUtf32(cell);
}
