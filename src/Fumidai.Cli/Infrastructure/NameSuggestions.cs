using System.CommandLine;

namespace Fumidai.Cli.Infrastructure;

/// <summary>The nearest valid command or option for a word the parser did not know ("--keys" → "--key").</summary>
public static class NameSuggestions
{
    /// <summary>One line per unknown word that has a close valid name in <paramref name="command"/>; none for the rest.</summary>
    public static IEnumerable<string> For(Command command, IEnumerable<string> unmatched, string commandPath)
    {
        foreach (string word in unmatched.Distinct(StringComparer.Ordinal))
        {
            bool option = word.StartsWith('-');
            // A plain word under a command without subcommands is a stray argument, not a misspelt name.
            if (!option && command.Subcommands.Count == 0) continue;
            var names = option ? OptionNames(command) : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
            if (Nearest(word, names) is { } nearest)
                yield return $"'{word}' is not {(option ? "an option" : "a command")} of '{commandPath}'; did you mean '{nearest}'?";
        }
    }

    /// <summary>The closest name within a small edit distance (ties go to the alphabetically first), or null.</summary>
    public static string? Nearest(string word, IEnumerable<string> names)
    {
        // Two edits, but never more than a third of the word: "--al" may become "--all", "ls" does not become "add".
        int limit = Math.Min(2, Math.Max(1, word.TrimStart('-').Length / 3));
        return names.Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: Distance(word, name)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => x.Name)
            .FirstOrDefault();
    }

    private static IEnumerable<string> OptionNames(Command command)
    {
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            yield return option.Name;
            foreach (var alias in option.Aliases) yield return alias;
        }
        // Options declared on a parent for all its descendants (--data) are valid here too.
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            foreach (var option in parent.Options.Where(o => o.Recursive && !o.Hidden))
            {
                yield return option.Name;
                foreach (var alias in option.Aliases) yield return alias;
            }
    }

    /// <summary>Edit distance counting a swap of two neighbouring letters as one edit ("serach" → "search").</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
