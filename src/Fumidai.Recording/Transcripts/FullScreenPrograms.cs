namespace Fumidai.Recording.Transcripts;

/// <summary>Programs whose keystrokes on the alternate screen are editing or paging, not commands for a shell.</summary>
internal static class FullScreenPrograms
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "vi", "vim", "nvim", "view", "vimdiff", "nano", "pico", "emacs", "less", "more", "most", "man", "top", "htop", "atop", "btop", "watch",
    };

    // Words that run the next word as the program (their options are skipped with them).
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal)
    {
        "sudo", "doas", "env", "exec", "command", "nice", "nohup", "time", "builtin",
    };

    /// <summary>Whether the last program of <paramref name="command"/> (the end of a pipeline: <c>ps | less</c>) is a known one.</summary>
    public static bool IsKnown(string? command)
    {
        if (command is null) return false;
        var segments = CommandWords.Segments(command);
        if (segments.Count == 0) return false;
        foreach (var word in segments[^1])
        {
            if (CommandWords.IsAssignment(word) || word.StartsWith('-')) continue;
            string name = CommandWords.BaseName(word);
            if (Wrappers.Contains(name)) continue;
            return Known.Contains(name);
        }
        return false;
    }
}
