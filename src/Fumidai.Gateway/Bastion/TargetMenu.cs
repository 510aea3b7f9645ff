using System.Text;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Bastion;

/// <summary>The list of targets and logins shown to an operator who connected without naming one, and the answers to a choice.</summary>
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
        var (name, login) = Split(choice);
        var match = reachable.FirstOrDefault(r => r.Target.Name == name);
        return match.Target is null ? null : (match.Target, login);
    }

    /// <summary>TARGET or LOGIN@TARGET as typed.</summary>
    public static (string Target, string? Login) Split(string choice)
    {
        int at = choice.LastIndexOf('@');
        return at < 0 ? (choice, null) : (choice[(at + 1)..], choice[..at]);
    }

    /// <summary>The precise reason a choice is refused, for the audit; null when it is allowed.</summary>
    public static string? Refusal(AccessPolicy policy, UserRecord user, TargetRecord? target, string? login, string kind) =>
        target is null ? "unknown target" : policy.Check(user, target, login ?? (target.Logins is [var first, ..] ? first : ""), kind);

    /// <summary>
    /// The line the operator sees. A target she has no role for reads exactly like one that does not exist, so she cannot
    /// learn target names by trying them; on a target she may use, the precise reason (login, channel kind) is hers to see.
    /// </summary>
    public static string RefusalLine(AccessPolicy policy, UserRecord user, TargetRecord? target, string typedName, string? reason)
    {
        if (target is null || policy.RolesFor(user, target.Name).Count == 0 || reason is null)
            return $"access denied: unknown target '{typedName}', or none of your roles grants it";
        return "access denied: " + reason;
    }
}
