using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Fumidai.Gateway.Policy;

/// <summary>An exec request that is exactly an scp server invocation (<c>scp -t PATH</c> or <c>scp -f PATH</c>).</summary>
/// <remarks>
/// Roles may allow scp without exec, and scp sessions are recorded as file transfers rather than as terminals, so a
/// command only counts as scp when every shell a target might run would read it as nothing but the scp program, its
/// own server flags (<c>-v -r -p -d</c>, exactly one of <c>-t</c>/<c>-f</c>, optional <c>--</c>) and one path.
/// The grammar is a whitelist rather than a list of dangerous characters: single spaces between words, and a path
/// made of plain characters, optionally single-quoted (with <c>'\''</c> for a quote) to carry spaces or glob
/// characters. Anything else — separators, pipes, redirections, substitutions, expansions, control characters,
/// other quoting — is an ordinary exec.
/// </remarks>
public sealed record ScpCommandLine(bool Upload, string Path, bool Recursive, bool PreserveTimes, bool TargetIsDirectory, bool Verbose)
{
    /// <summary>Longer commands are never scp (a path is at most PATH_MAX bytes, plus the flags).</summary>
    public const int MaxLength = 4200;

    private const string ServerFlags = "vrpdtf";

    /// <summary>True when <paramref name="command"/> is exactly an scp server invocation.</summary>
    public static bool TryParse(string command, [NotNullWhen(true)] out ScpCommandLine? parsed)
    {
        parsed = null;
        if (command.Length > MaxLength) return false;
        var words = SplitWords(command);
        if (words is null || words.Count < 3 || words[0] != "scp") return false;
        var flags = new HashSet<char>();
        int index = 1;
        bool endOfOptions = false;
        for (; index < words.Count && words[index].StartsWith('-'); index++)
        {
            string word = words[index];
            if (word == "--")
            {
                endOfOptions = true;
                index++;
                break;
            }
            if (word.Length < 2) return false;
            foreach (char flag in word.AsSpan(1))
            {
                if (!ServerFlags.Contains(flag) || !flags.Add(flag)) return false;
            }
        }
        if (flags.Contains('t') == flags.Contains('f')) return false;
        if (index != words.Count - 1 || !TryReadPath(words[index], out string? path)) return false;
        // A path that looks like an option is one unless "--" came first (OpenSSH adds it for such paths).
        if (path.StartsWith('-') && !endOfOptions) return false;
        parsed = new ScpCommandLine(flags.Contains('t'), path, flags.Contains('r'), flags.Contains('p'), flags.Contains('d'), flags.Contains('v'));
        return true;
    }

    /// <summary>Parses a command already known to be scp (see <see cref="TryParse"/>).</summary>
    public static ScpCommandLine Parse(string command) =>
        TryParse(command, out var parsed) ? parsed : throw new ArgumentException("not an scp server invocation", nameof(command));

    /// <summary>The raw words between single spaces (a space inside single quotes belongs to its word); null for an open quote.</summary>
    private static List<string>? SplitWords(string command)
    {
        var words = new List<string>();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < command.Length; i++)
        {
            if (command[i] == '\'') quoted = !quoted;
            // Outside quotes a backslash takes the next character with it (TryReadPath accepts only \').
            else if (command[i] == '\\' && !quoted) i++;
            else if (command[i] == ' ' && !quoted)
            {
                words.Add(command[start..i]);
                start = i + 1;
            }
        }
        if (quoted) return null;
        words.Add(command[start..]);
        return words;
    }

    /// <summary>One shell word: plain characters, single-quoted runs and <c>\'</c> between them.</summary>
    private static bool TryReadPath(string word, [NotNullWhen(true)] out string? path)
    {
        path = null;
        var value = new StringBuilder(word.Length);
        for (int i = 0; i < word.Length;)
        {
            char c = word[i];
            if (c == '\'')
            {
                int close = word.IndexOf('\'', i + 1);
                if (close < 0) return false;
                for (int j = i + 1; j < close; j++)
                {
                    if (!IsPlain(word[j]) && word[j] is not (' ' or '*' or '?' or '[' or ']')) return false;
                }
                value.Append(word, i + 1, close - i - 1);
                i = close + 1;
            }
            else if (c == '\\')
            {
                // The one escape scp clients use: '\'' puts a quote inside a single-quoted path.
                if (i + 1 >= word.Length || word[i + 1] != '\'') return false;
                value.Append('\'');
                i += 2;
            }
            else if (IsPlain(c))
            {
                value.Append(c);
                i++;
            }
            else
            {
                return false;
            }
        }
        if (value.Length == 0) return false;
        path = value.ToString();
        return true;
    }

    /// <summary>Characters no shell (sh, bash, zsh, csh, fish, cmd.exe) gives a meaning to, wherever they stand.</summary>
    /// <remarks><c>~</c> only expands to a home directory at the start of a word.</remarks>
    private static bool IsPlain(char c)
    {
        if (c < 0x80) return char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '~' or '+' or ',' or ':' or '@' or '=' or '-';
        // Letters, digits and marks of other scripts; never spaces, controls, format characters (bidi overrides) or surrogates.
        return char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.DecimalDigitNumber;
    }
}
