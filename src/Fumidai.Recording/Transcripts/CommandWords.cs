using System.Text;

namespace Fumidai.Recording.Transcripts;

/// <summary>A shell command line cut into words (quotes removed) and control operators, to see which programs it runs.</summary>
/// <remarks>Only what naming programs needs: quotes and backslashes, and <c>; | &amp; ( )</c> and newlines as separators.
/// Expansions are not performed; a word that needs them names no program we recognise, which is the safe outcome.</remarks>
public static class CommandWords
{
    /// <summary>The simple commands of <paramref name="command"/>, each as its words, in order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Segments(string command)
    {
        var segments = new List<IReadOnlyList<string>>();
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        void EndWord()
        {
            if (inWord) words.Add(word.ToString());
            word.Clear();
            inWord = false;
        }
        void EndSegment()
        {
            EndWord();
            if (words.Count > 0) segments.Add(words.ToArray());
            words.Clear();
        }
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            switch (c)
            {
                case ' ' or '\t':
                    EndWord();
                    break;
                case ';' or '|' or '&' or '(' or ')' or '\n' or '\r':
                    EndSegment();
                    break;
                case '\'':
                    inWord = true;
                    int close = command.IndexOf('\'', i + 1);
                    close = close < 0 ? command.Length : close;
                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; i < command.Length && command[i] != '"'; i++)
                    {
                        if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`') i++;
                        word.Append(command[i]);
                    }
                    break;
                case '\\':
                    inWord = true;
                    if (++i < command.Length) word.Append(command[i]);
                    break;
                default:
                    inWord = true;
                    word.Append(c);
                    break;
            }
        }
        EndSegment();
        return segments;
    }

    /// <summary>The file name part of a program path: <c>/usr/bin/vim</c> is <c>vim</c>.</summary>
    public static string BaseName(string program)
    {
        int slash = program.LastIndexOf('/');
        return slash >= 0 ? program[(slash + 1)..] : program;
    }

    /// <summary>Whether a word sets a variable for the command that follows (<c>LANG=C</c>).</summary>
    public static bool IsAssignment(string word)
    {
        int eq = word.IndexOf('=');
        if (eq <= 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_')) return false;
        for (int i = 1; i < eq; i++)
            if (!char.IsAsciiLetterOrDigit(word[i]) && word[i] != '_') return false;
        return true;
    }
}
