using System.Text;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Bastion;

/// <summary>The list of targets and logins shown to an operator who connected without naming one.</summary>
public static class TargetMenu
{
    public static string Render(string user, IReadOnlyList<(TargetRecord Target, IReadOnlyList<string> Logins)> reachable)
    {
        var text = new StringBuilder();
        text.Append("Fumidai: targets ").Append(user).Append(" may use (this session is recorded)\r\n");
        if (reachable.Count == 0)
        {
            text.Append("  (none: ask an administrator for a role)\r\n");
            return text.ToString();
        }
        int width = reachable.Max(r => r.Target.Name.Length);
        for (int i = 0; i < reachable.Count; i++)
        {
            var (target, logins) = reachable[i];
            text.Append($"  {i + 1,2}) {target.Name.PadRight(width)}  as {string.Join(", ", logins)}\r\n");
        }
        text.Append($"Connect directly next time with: ssh -p PORT {user}:TARGET@bastion or {user}:LOGIN@TARGET@bastion\r\n");
        return text.ToString();
    }

    /// <summary>Interprets a choice: a number, a target name, or LOGIN@TARGET; null when it names nothing listed.</summary>
    public static (TargetRecord Target, string? Login)? Choose(string choice,
        IReadOnlyList<(TargetRecord Target, IReadOnlyList<string> Logins)> reachable)
    {
        if (int.TryParse(choice, out int number) && number >= 1 && number <= reachable.Count) return (reachable[number - 1].Target, null);
        int at = choice.LastIndexOf('@');
        string name = at < 0 ? choice : choice[(at + 1)..];
        string? login = at < 0 ? null : choice[..at];
        var match = reachable.FirstOrDefault(r => r.Target.Name == name);
        return match.Target is null ? null : (match.Target, login);
    }
}
