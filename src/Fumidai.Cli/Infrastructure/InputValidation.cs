using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Checks of command-line values that the parser cannot do; each failure is a usage error naming the value.</summary>
public static class InputValidation
{
    /// <summary>A user, target, login or role name as <see cref="LoginName.IsValidName"/> accepts it.</summary>
    public static string Name(string kind, string? value)
    {
        if (value is null || !LoginName.IsValidName(value))
            throw CliException.Usage($"invalid {kind} name '{value}': use 1-64 letters, digits, '.', '_' or '-', not starting with '-'");
        return value;
    }

    /// <summary>A positive duration written 90s, 15m or 8h.</summary>
    public static TimeSpan Duration(string option, string value)
    {
        if (!Gateway.Configuration.Duration.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
            throw CliException.Usage($"{option}: '{value}' is not a duration such as 90s, 15m or 8h");
        return duration;
    }

    /// <summary>Roles a user may hold: built-in ones or roles added with <c>role add</c>; duplicates removed, order kept.</summary>
    public static async Task<IReadOnlyList<string>> RolesAsync(MetadataStore store, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        var known = (await store.ListRolesAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var role in roles.SelectMany(SplitList))
        {
            Name("role", role);
            if (!BuiltInRoles.IsBuiltIn(role) && !known.Contains(role))
                throw CliException.NotFound($"role '{role}' does not exist; add it with `fumidai role add` or use admin, auditor or user");
            if (!result.Contains(role)) result.Add(role);
        }
        return result;
    }

    /// <summary>Splits <c>a,b</c> lists, so both <c>--opt a,b</c> and repeated options work.</summary>
    public static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>An existing, readable input file.</summary>
    public static string InputFile(string option, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CliException.Usage($"{option}: a file name is required");
        if (Directory.Exists(path)) throw CliException.Usage($"{option}: {path} is a directory, not a file");
        if (!File.Exists(path)) throw CliException.Usage($"{option}: {path}: no such file");
        return path;
    }

    /// <summary>An output file whose folder exists.</summary>
    public static string OutputFile(string option, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CliException.Usage($"{option}: a file name is required");
        if (Directory.Exists(path)) throw CliException.Usage($"{option}: {path} is a directory, not a file");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder)) throw CliException.Usage($"{option}: folder {folder} does not exist");
        return path;
    }
}
