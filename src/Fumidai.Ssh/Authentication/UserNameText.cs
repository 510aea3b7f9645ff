using System.Globalization;
using System.Text;

namespace Fumidai.Ssh.Authentication;

/// <summary>User names as untrusted text: control characters refused, and an escaped form fit for a log or an audit line.</summary>
public static class UserNameText
{
    /// <summary>
    /// True for C0, DEL and C1 controls, Unicode format characters (bidirectional overrides, zero-width marks), line and
    /// paragraph separators and lone surrogates: anything that could move a terminal's cursor, reorder or hide text.
    /// </summary>
    public static bool HasControlCharacters(string value)
    {
        foreach (char c in value)
        {
            if (IsControl(c)) return true;
        }
        return false;
    }

    /// <summary>The name with every control character written as <c>\xHH</c> or <c>\uHHHH</c>, and backslashes doubled.</summary>
    public static string Escape(string value)
    {
        if (!HasControlCharacters(value) && !value.Contains('\\')) return value;
        var text = new StringBuilder(value.Length + 16);
        foreach (char c in value)
        {
            if (c == '\\') text.Append(@"\\");
            else if (!IsControl(c)) text.Append(c);
            else if (c <= 0xFF) text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return text.ToString();
    }

    private static bool IsControl(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
