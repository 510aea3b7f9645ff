using System.Text.RegularExpressions;

namespace Fumidai.Recording.Transcripts;

internal sealed partial class CommandTracker
{
    /// <summary>
    /// Whether a line typed without echo may be a secret: typed at no prompt at all (<c>read -s</c>, <c>stty -echo; read</c>)
    /// or at a prompt that asks for one, unless commands were already seen at that very prompt (a shell's prompt
    /// that happens to say "password" is still a shell's prompt).
    /// </summary>
    private bool MayBeSecret(string prompt)
    {
        if (string.IsNullOrWhiteSpace(prompt)) return true;
        if (_shellPrompts.Contains(prompt)) return false;
        int newline = prompt.LastIndexOf('\n');
        return SecretPrompt().IsMatch(newline >= 0 ? prompt[(newline + 1)..] : prompt);
    }

    /// <summary>The longest prompt commands were seen at that <paramref name="line"/> contains, or null.</summary>
    private string? KnownPromptIn(string line)
    {
        string? found = null;
        foreach (var prompt in _shellPrompts)
            if (prompt.Trim().Length > 0 && (found is null || prompt.Length > found.Length) && line.Contains(prompt, StringComparison.Ordinal))
                found = prompt;
        return found;
    }

    [GeneratedRegex(@"pass\s*(word|phrase|code)|\bpin\b|\btoken\b|secret|\botp\b|one-time|verification|credential|passwort|mot de passe|contraseña",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SecretPrompt();
}
