using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Checks of command-line values that the parser cannot do; each failure is a usage error naming the value.</summary>
public static class InputValidation
{
    /// <summary>A user, target, login or role name (the rule shared with the console).</summary>
    public static string Name(string kind, string? value) => AdminRules.Name(kind, value);

    /// <summary>A positive duration written 90s, 15m or 8h.</summary>
    public static TimeSpan Duration(string option, string value)
    {
        if (!Gateway.Configuration.Duration.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
            throw CliException.Usage($"{option}: '{value}' is not a duration such as 90s, 15m or 8h");
        return duration;
    }

    /// <summary>Roles a user may hold (the rule shared with the console).</summary>
    public static Task<IReadOnlyList<string>> RolesAsync(MetadataStore store, IEnumerable<string> roles, CancellationToken cancellationToken) =>
        AdminRules.RolesAsync(store, roles, cancellationToken);

    /// <summary>Splits <c>a,b</c> lists, so both <c>--opt a,b</c> and repeated options work.</summary>
    public static IEnumerable<string> SplitList(string value) => AdminRules.SplitList(value);

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
