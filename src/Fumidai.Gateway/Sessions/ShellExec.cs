using Fumidai.Recording.Transcripts;

namespace Fumidai.Gateway.Sessions;

/// <summary>Whether an exec runs a shell that reads its commands from the channel's standard input.</summary>
/// <remarks>
/// The rule: some simple command of the exec line (<c>cd /x &amp;&amp; bash</c>, <c>cat | sh</c>) is, once wrappers such as
/// <c>sudo</c>, <c>env</c>, <c>exec</c> or <c>nice</c> and their options are set aside, either a shell (<c>sh</c>,
/// <c>bash</c>, <c>zsh</c>, <c>busybox sh</c>…) given no script (no <c>-c</c>, no script file; <c>-s</c> says stdin
/// explicitly), <c>su</c> without <c>-c</c>, or <c>sudo -s</c>/<c>sudo -i</c> without a command. Erring towards "yes"
/// only lists input lines that were data, which an auditor can tell; erring towards "no" would hide commands.
/// </remarks>
public static class ShellExec
{
    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "zsh", "ksh", "mksh", "pdksh", "ash", "yash", "fish", "csh", "tcsh", "posh", "rbash",
    };

    // Wrappers whose own options take a value (the value is not the program).
    private static readonly Dictionary<string, string[]> Wrappers = new(StringComparer.Ordinal)
    {
        ["sudo"] = ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--close-from", "--chdir",
            "--host", "--prompt", "--role", "--type", "--other-user", "--command-timeout", "--chroot"],
        ["doas"] = ["-u", "-C"],
        ["env"] = ["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
        ["nice"] = ["-n", "--adjustment"],
        ["exec"] = ["-a"],
        ["command"] = [],
        ["builtin"] = [],
        ["nohup"] = [],
        ["time"] = ["-f", "-o"],
        ["stdbuf"] = ["-i", "-o", "-e"],
    };

    /// <summary>Whether the lines fed on stdin to <paramref name="command"/> are commands for a shell.</summary>
    public static bool ReadsCommandsFromStdin(string command) =>
        CommandWords.Segments(command).Any(words => ShellOnStdin(words, 0));

    private static bool ShellOnStdin(IReadOnlyList<string> words, int i)
    {
        while (i < words.Count && CommandWords.IsAssignment(words[i])) i++;
        if (i >= words.Count) return false;
        string name = CommandWords.BaseName(words[i]);
        if (name == "busybox") return i + 1 < words.Count && Shells.Contains(words[i + 1]) && ShellArguments(words, i + 2);
        if (Shells.Contains(name)) return ShellArguments(words, i + 1);
        if (name == "su") return !words.Skip(i + 1).Any(w => w is "-c" or "--command" or "-C" or "--session-command" || w.StartsWith("--command="));
        if (!Wrappers.TryGetValue(name, out var valued)) return false;
        bool shellFlag = false;
        for (i++; i < words.Count && words[i].StartsWith('-') && words[i] != "-"; i++)
        {
            string option = words[i];
            if (option == "--") { i++; break; }
            if (option is "--shell" or "--login" || (!option.StartsWith("--") && (option.Contains('s') || option.Contains('i')) && name is "sudo" or "doas"))
                shellFlag = true;
            if (valued.Contains(option)) i++;
        }
        // sudo -s / sudo -i with nothing after them start the target user's shell.
        if (i >= words.Count || (name == "env" && words.Skip(i).All(CommandWords.IsAssignment)))
            return shellFlag;
        if (name == "env" && words[i] == "-") i++;
        return ShellOnStdin(words, i);
    }

    /// <summary>A shell's arguments leave stdin as its script: no -c, and no script file operand.</summary>
    private static bool ShellArguments(IReadOnlyList<string> words, int i)
    {
        for (; i < words.Count; i++)
        {
            string word = words[i];
            if (word == "--") return i + 1 >= words.Count;
            if (word is "-o" or "+o" or "-O" or "+O" or "--rcfile" or "--init-file")
            {
                i++;
                continue;
            }
            if (word.StartsWith("--")) continue;
            if (word.Length > 1 && word[0] is '-' or '+')
            {
                if (word.Contains('c')) return false;
                if (word.Contains('s')) return true; // -s: commands from stdin, the rest are positional parameters
                continue;
            }
            return false; // a script file
        }
        return true;
    }
}
