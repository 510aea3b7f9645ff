using System.CommandLine;
using System.Text;

namespace Fumidai.Cli.Output;

/// <summary>Bash and zsh completion scripts written from the command tree, so they can never list a command that is gone.</summary>
/// <remarks>
/// The scripts are static: completing a word never starts the bastion's CLI (which would open the data directory). They
/// find the command path in the words typed so far, skipping options and the values of options that take one, and offer
/// that command's subcommands and options; after an option that takes a value they leave the shell to complete files.
/// </remarks>
public static class CompletionScripts
{
    public static string Bash(RootCommand root)
    {
        var s = new StringBuilder();
        s.AppendLine("# bash completion for fumidai; load with: source <(fumidai completion bash)");
        s.AppendLine("_fumidai() {");
        s.AppendLine("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmdpath='' words='' i w");
        AppendPathLoop(s, root, "1", "COMP_CWORD", "COMP_WORDS");
        s.AppendLine("  case \"$cmdpath|$prev\" in " + ValueOptionPatterns(root) + ") COMPREPLY=(); return ;; esac");
        s.AppendLine("  case \"$cmdpath\" in");
        foreach (var (path, command) in Walk(root, ""))
            s.AppendLine($"    '{path}') words='{string.Join(' ', Words(command))}' ;;");
        s.AppendLine("  esac");
        s.AppendLine("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        s.AppendLine("}");
        s.AppendLine("complete -o default -F _fumidai fumidai");
        return s.ToString();
    }

    public static string Zsh(RootCommand root)
    {
        var s = new StringBuilder();
        s.AppendLine("#compdef fumidai");
        s.AppendLine("# zsh completion for fumidai; load after compinit with: source <(fumidai completion zsh)");
        s.AppendLine("_fumidai() {");
        s.AppendLine("  local cmdpath='' w i");
        s.AppendLine("  local -a candidates");
        AppendPathLoop(s, root, "2", "CURRENT", "words");
        s.AppendLine("  case \"$cmdpath|${words[CURRENT-1]}\" in " + ValueOptionPatterns(root) + ") _files; return ;; esac");
        s.AppendLine("  case \"$cmdpath\" in");
        foreach (var (path, command) in Walk(root, ""))
            s.AppendLine($"    '{path}') candidates=({string.Join(' ', Words(command))}) ;;");
        s.AppendLine("  esac");
        s.AppendLine("  compadd -- $candidates");
        s.AppendLine("}");
        s.AppendLine("compdef _fumidai fumidai");
        return s.ToString();
    }

    /// <summary>The loop both shells run over the words before the cursor: options (and the value of one that takes a
    /// value) are skipped, and each known subcommand extends <c>$cmdpath</c>.</summary>
    private static void AppendPathLoop(StringBuilder s, RootCommand root, string first, string current, string words)
    {
        s.AppendLine($"  for ((i = {first}; i < {current}; i++)); do");
        s.AppendLine($"    w=${{{words}[i]}}");
        s.AppendLine("    if [[ $w == -* ]]; then");
        s.AppendLine("      case \"$cmdpath|$w\" in " + ValueOptionPatterns(root) + ") ((i++)) ;; esac");
        s.AppendLine("      continue");
        s.AppendLine("    fi");
        s.AppendLine("    case \"$cmdpath $w\" in " + CommandPatterns(root) + ") cmdpath=\"$cmdpath $w\" ;; esac");
        s.AppendLine("  done");
    }

    /// <summary>Every command with its path of names after <c>fumidai</c> (" user add"), the root first as "".</summary>
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            foreach (var inner in Walk(sub, path + " " + sub.Name))
                yield return inner;
    }

    /// <summary>Subcommands and option names; Windows-style help aliases (/h, -?) are left out: the shell would glob them.</summary>
    private static IEnumerable<string> Words(Command command) =>
        command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Concat(Options(command).SelectMany(o => o.Aliases.Prepend(o.Name)))
            .Where(w => w.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            .Distinct(StringComparer.Ordinal);

    /// <summary>The command's options and those its ancestors declare for all descendants (--data).</summary>
    private static List<Option> Options(Command command)
    {
        var options = command.Options.Where(o => !o.Hidden).ToList();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            options.AddRange(parent.Options.Where(o => o.Recursive && !o.Hidden));
        return options;
    }

    private static string CommandPatterns(RootCommand root) =>
        string.Join('|', Walk(root, "").Where(x => x.Path.Length > 0).Select(x => Quote(x.Path)));

    private static string ValueOptionPatterns(RootCommand root)
    {
        var patterns = Walk(root, "")
            .SelectMany(x => Options(x.Command).Where(o => o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool))
                .SelectMany(o => o.Aliases.Prepend(o.Name)).Select(name => Quote(x.Path + "|" + name)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        // A pattern that matches nothing keeps the case statement valid if no option takes a value.
        return patterns.Count == 0 ? "'|'" : string.Join('|', patterns);
    }

    /// <summary>Names are plain words (letters, digits, dashes), so single quotes are enough; anything else is a bug here.</summary>
    private static string Quote(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ' ' or '|')
            ? "'" + word + "'"
            : throw new InvalidOperationException($"command or option name '{word}' cannot go into a completion script");
}
