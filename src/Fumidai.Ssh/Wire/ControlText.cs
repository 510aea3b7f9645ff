using System.Globalization;
using System.Text;

namespace Fumidai.Ssh.Wire;

/// <summary>Makes text from users and the network safe to show on a terminal: characters that could move the cursor, recolour,
/// reorder or hide what is shown are written as escapes instead.</summary>
/// <remarks>
/// One escape form, the one a JSON string uses: <c>\b \t \n \f \r</c>, and <c>\uXXXX</c> (lower-case hex) for every other escaped
/// UTF-16 unit, so ESC is <c>\u001b</c> and a right-to-left override <c>\u202e</c>. Escaped: C0 controls (newline included),
/// DEL, C1 controls, Unicode format characters (bidi embeddings, overrides and isolates, zero-width characters, tags), line and
/// paragraph separators, and unpaired surrogates. Backslashes are left alone, so the text stays readable; <c>--json</c> gives
/// exact values.
/// </remarks>
public static class ControlText
{
    /// <summary>The text with every unsafe character escaped; null becomes empty.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || IndexOfUnsafe(text) < 0) return text ?? "";
        var builder = new StringBuilder(text.Length + 16);
        Append(builder, text);
        return builder.ToString();
    }

    /// <summary>Appends <paramref name="text"/> to <paramref name="builder"/> with every unsafe character escaped.</summary>
    public static void Append(StringBuilder builder, ReadOnlySpan<char> text)
    {
        int start = 0;
        for (int i = 0; i < text.Length;)
        {
            int length = UnsafeLength(text, i);
            if (length == 0)
            {
                i += IsPairAt(text, i) ? 2 : 1;
                continue;
            }
            builder.Append(text[start..i]);
            for (int k = i; k < i + length; k++) AppendEscape(builder, text[k]);
            i += length;
            start = i;
        }
        builder.Append(text[start..]);
    }

    /// <summary>The index of the first character <see cref="Escape"/> would change, or -1.</summary>
    public static int IndexOfUnsafe(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            // Printable ASCII is by far the common case.
            if (c is >= ' ' and < '\u007f')
            {
                i++;
                continue;
            }
            if (UnsafeLength(text, i) > 0) return i;
            i += IsPairAt(text, i) ? 2 : 1;
        }
        return -1;
    }

    /// <summary>How many UTF-16 units at <paramref name="index"/> form an unsafe character: 0 (safe), 1, or 2 (a pair).</summary>
    private static int UnsafeLength(ReadOnlySpan<char> text, int index)
    {
        if (IsPairAt(text, index))
            return IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[index], text[index + 1]))) ? 2 : 0;
        return IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(text[index])) ? 1 : 0;
    }

    private static bool IsPairAt(ReadOnlySpan<char> text, int index) =>
        index + 1 < text.Length && char.IsSurrogatePair(text[index], text[index + 1]);

    // A lone surrogate reports the Surrogate category; a well-formed pair is classified by its code point above.
    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;

    private static void AppendEscape(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\b': builder.Append(@"\b"); break;
            case '\t': builder.Append(@"\t"); break;
            case '\n': builder.Append(@"\n"); break;
            case '\f': builder.Append(@"\f"); break;
            case '\r': builder.Append(@"\r"); break;
            default: builder.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
        }
    }
}
