using System.Diagnostics;
using System.Globalization;
using Fumidai.Gateway;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Why a command cannot use the data directory it was pointed at, in terms an admin can act on: the path, how it
/// was chosen, and (when permissions are the reason) its owner and mode against the account the command runs as.</summary>
/// <remarks>The usual case is a <c>serve</c> running under its own account with an owner-only directory, and an admin
/// running <c>fumidai</c> as herself, or from another directory.</remarks>
public static class DataDirectoryProblem
{
    /// <summary>Where the systemd unit shipped in deploy/ keeps its data.</summary>
    public const string ServiceDataPath = "/var/lib/fumidai";

    public static CliException Explain(DataDirectory data)
    {
        string root = data.Root;
        string me = Environment.UserName;
        string chosen = $"(chosen by {data.Origin})";
        // The nearest folder on the way that exists; a folder we may not enter makes everything below it look missing.
        string? blocked = FirstUnreadable(root);
        if (blocked is not null)
        {
            var (owner, mode) = Describe(blocked);
            return new CliException(ExitCodes.Configuration,
                $"cannot read {blocked}, on the way to the data directory {root} {chosen}: it is owned by {owner} with mode {mode}, "
                + $"and this command runs as {me}. Run it as that account (sudo -u {OwnerName(owner)} fumidai … --data {root})");
        }
        if (!Directory.Exists(root))
            return new CliException(ExitCodes.Configuration,
                $"no data directory at {root} {chosen}. Create one with `fumidai init --data {root}`" + ServiceHint(data));
        // A data directory whose metadata is in PostgreSQL has fumidai.json instead of fumidai.db.
        var missing = new List<string?>();
        if (!File.Exists(data.DatabasePath) && !File.Exists(data.ConfigurationPath)) missing.Add(Path.GetFileName(data.DatabasePath));
        if (!File.Exists(data.MasterKeyPath)) missing.Add(Path.GetFileName(data.MasterKeyPath));
        return new CliException(ExitCodes.Configuration,
            $"{root} {chosen} is not a Fumidai data directory: it has no {string.Join(" and no ", missing)}. "
            + $"Create one with `fumidai init --data DIR` in an empty or new folder" + ServiceHint(data));
    }

    private static string ServiceHint(DataDirectory data) =>
        data.Origin == "--data" || !Directory.Exists(ServiceDataPath) || data.Root == ServiceDataPath
            ? ""
            : $"; the service's data directory is {ServiceDataPath}: --data {ServiceDataPath}, or {DataDirectory.EnvironmentVariable}={ServiceDataPath}, as the account serve runs as";

    /// <summary>The first folder from the top down to <paramref name="root"/> that exists but cannot be listed.</summary>
    private static string? FirstUnreadable(string root)
    {
        var path = new List<string>();
        for (var d = new DirectoryInfo(root); d is not null; d = d.Parent) path.Insert(0, d.FullName);
        foreach (string folder in path)
        {
            try
            {
                if (!Directory.Exists(folder)) return null;
                using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
                entries.MoveNext();
            }
            catch (UnauthorizedAccessException)
            {
                return folder;
            }
            catch (IOException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>"fumidai (uid 998)" and "0700", from stat(1): .NET reads a file's mode but not its owner.</summary>
    private static (string Owner, string Mode) Describe(string path)
    {
        string mode = "unknown";
        try
        {
            mode = Convert.ToString((int)File.GetUnixFileMode(path), 8).PadLeft(4, '0');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        try
        {
            var info = new ProcessStartInfo("stat", ["-c", "%U %u", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var stat = Process.Start(info);
            if (stat is not null && stat.WaitForExit(5000) && stat.ExitCode == 0)
            {
                var parts = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
                if (parts.Length == 2) return ($"{parts[0]} (uid {parts[1]})", mode);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        return ("an account this command cannot name", mode);
    }

    private static string OwnerName(string owner) =>
        owner.Split(' ')[0] is { Length: > 0 } name && !name.StartsWith("an", StringComparison.Ordinal) ? name : "OWNER";
}
