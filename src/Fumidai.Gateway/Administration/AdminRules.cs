using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Administration;

/// <summary>The checks of what an admin gives (names, roles, keys, the user named), one copy for the CLI and the console, with their messages.</summary>
public static class AdminRules
{
    /// <summary>A user, target, login or role name as <see cref="LoginName.IsValidName"/> accepts it.</summary>
    public static string Name(string kind, string? value)
    {
        if (value is null || !LoginName.IsValidName(value))
            throw AdminRuleException.Invalid($"invalid {kind} name '{value}': use 1-64 letters, digits, '.', '_' or '-', not starting with '-'");
        return value;
    }

    /// <summary>The user, or a not-found refusal naming her.</summary>
    public static async Task<UserRecord> RequireUserAsync(MetadataStore store, string name, CancellationToken cancellationToken) =>
        await store.GetUserAsync(Name("user", name), cancellationToken).ConfigureAwait(false)
        ?? throw AdminRuleException.NotFound($"user '{name}' does not exist");

    /// <summary>Roles a user may hold: built-in ones or roles added with <c>role add</c>; duplicates removed, order kept.</summary>
    public static async Task<IReadOnlyList<string>> RolesAsync(MetadataStore store, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        var known = (await store.ListRolesAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var role in roles.SelectMany(SplitList))
        {
            Name("role", role);
            if (!BuiltInRoles.IsBuiltIn(role) && !known.Contains(role))
                throw AdminRuleException.NotFound($"role '{role}' does not exist; add it with `fumidai role add` or use admin, auditor or user");
            if (!result.Contains(role)) result.Add(role);
        }
        return result;
    }

    /// <summary>Splits <c>a,b</c> lists, so both <c>--opt a,b</c> and repeated values work.</summary>
    public static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>One <c>TYPE BASE64 [comment]</c> line of a user key (not a certificate); <paramref name="where"/> names it in a refusal.</summary>
    public static (SshPublicKey Key, string Comment) PublicKey(string where, string line)
    {
        SshPublicKey key;
        string comment;
        try
        {
            key = SshPublicKey.ParseOpenSsh(line, out comment);
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException)
        {
            throw AdminRuleException.Invalid($"{where}: not an OpenSSH public key ({ex.Message})");
        }
        if (key is SshCertificate)
            throw AdminRuleException.Invalid($"{where}: is a certificate; give the plain public key");
        return (key, comment);
    }

    /// <summary>Every key in a text of keys, one per line as in authorized_keys (blank lines and comments skipped).</summary>
    public static IReadOnlyList<(SshPublicKey Key, string Comment)> PublicKeys(string where, string text)
    {
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw AdminRuleException.Invalid($"{where} is a private key; give the public key");
        var keys = new List<(SshPublicKey, string)>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            keys.Add(PublicKey($"{where}:{i + 1}", line));
        }
        if (keys.Count == 0) throw AdminRuleException.Invalid($"{where}: no public key in the file");
        return keys;
    }
}
