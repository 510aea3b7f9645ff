using System.IO.Enumeration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Policy;

/// <summary>Decides, deny by default, whether a user may reach a target as a login with a channel kind.</summary>
public sealed class AccessPolicy
{
    private readonly IReadOnlyList<AccessRole> _roles;

    public AccessPolicy(IReadOnlyList<AccessRole> roles) => _roles = roles;

    /// <summary>The user's roles that grant this target (in the user's role order).</summary>
    public IReadOnlyList<AccessRole> RolesFor(UserRecord user, string targetName) =>
        user.Roles.Select(r => _roles.FirstOrDefault(role => role.Name == r))
            .Where(role => role is not null && role.TargetPatterns.Any(p => Matches(p, targetName)))
            .Select(role => role!)
            .ToArray();

    /// <summary>Targets with the logins the user may use on each, for the login menu.</summary>
    public IReadOnlyList<(TargetRecord Target, IReadOnlyList<string> Logins)> Reachable(UserRecord user, IEnumerable<TargetRecord> targets) =>
        targets.Select(t => (Target: t, Logins: LoginsFor(user, t)))
            .Where(x => x.Logins.Count > 0)
            .ToArray();

    /// <summary>Logins on the target the user may use: those its roles name that the target also lists.</summary>
    public IReadOnlyList<string> LoginsFor(UserRecord user, TargetRecord target) =>
        RolesFor(user, target.Name).SelectMany(r => r.Logins).Where(target.Logins.Contains).Distinct().ToArray();

    /// <summary>Null when allowed, else a reason fit to show the user and to audit.</summary>
    public string? Check(UserRecord user, TargetRecord target, string login, string kind)
    {
        var roles = RolesFor(user, target.Name);
        if (roles.Count == 0) return $"no role grants access to {target.Name}";
        if (!target.Logins.Contains(login)) return $"{login} is not a login of {target.Name}";
        var withLogin = roles.Where(r => r.Logins.Contains(login)).ToArray();
        if (withLogin.Length == 0) return $"no role grants {login} on {target.Name}";
        if (!withLogin.Any(r => r.Allow.Contains(kind))) return $"{kind} is not allowed on {target.Name} as {login}";
        return null;
    }

    /// <summary>The shortest idle timeout among the roles that grant this access, and the global one.</summary>
    public TimeSpan IdleTimeoutFor(UserRecord user, TargetRecord target, string login, TimeSpan global) =>
        RolesFor(user, target.Name).Where(r => r.Logins.Contains(login)).Select(r => r.IdleTimeout).OfType<TimeSpan>()
            .Append(global).Min();

    public TimeSpan? MaxSessionFor(UserRecord user, TargetRecord target, string login, TimeSpan? global)
    {
        var limits = RolesFor(user, target.Name).Where(r => r.Logins.Contains(login)).Select(r => r.MaxSession).OfType<TimeSpan>().ToList();
        if (global is { } g) limits.Add(g);
        return limits.Count == 0 ? null : limits.Min();
    }

    /// <summary>Glob match of a target name (<c>*</c>, <c>?</c>), case-sensitive like host names in configuration.</summary>
    public static bool Matches(string pattern, string name) => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false);
}
