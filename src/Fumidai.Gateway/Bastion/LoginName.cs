namespace Fumidai.Gateway.Bastion;

/// <summary>The SSH user name an operator types: <c>alice</c>, <c>alice:web01</c> or <c>alice:ec2-user@web01</c>.</summary>
public sealed record LoginName(string User, string? Target, string? Login)
{
    public static bool TryParse(string value, out LoginName? name)
    {
        name = null;
        int colon = value.IndexOf(':');
        string user = colon < 0 ? value : value[..colon];
        if (!IsValidName(user)) return false;
        if (colon < 0)
        {
            name = new LoginName(user, null, null);
            return true;
        }
        string rest = value[(colon + 1)..];
        int at = rest.LastIndexOf('@');
        string? login = at < 0 ? null : rest[..at];
        string target = at < 0 ? rest : rest[(at + 1)..];
        if (!IsValidName(target) || (login is not null && !IsValidName(login))) return false;
        name = new LoginName(user, target, login);
        return true;
    }

    /// <summary>Names of users, targets and logins: letters, digits, and <c>. _ -</c>, 1–64 characters.</summary>
    public static bool IsValidName(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && value[0] != '-';
}
