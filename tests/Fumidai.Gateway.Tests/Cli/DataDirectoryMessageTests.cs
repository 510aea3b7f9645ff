using Fumidai.Cli.Infrastructure;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>The built <c>fumidai</c> pointed at a data directory it cannot use: it says where it looked, how it chose that
/// place, and why it cannot use it.</summary>
public sealed class DataDirectoryMessageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "fumidai.dll");

    [Fact]
    public async Task Another_account_is_told_the_owner_and_mode_that_keep_it_out()
    {
        using var dir = new TempDirectory("fumidai-owner");
        // The temporary folder itself is owner-only; open it so only the data directory's own mode is in the way.
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        string data = dir.Combine("data");
        var init = await ProcessRunner.RunAsync("dotnet", [Dll, "init", "--data", data], Wait);
        Assert.True(init.ExitCode == 0, init.StandardError);

        // As an unprivileged account (the tests run as root, which no mode keeps out).
        var result = await ProcessRunner.RunAsync("runuser", ["-u", "nobody", "--", "dotnet", Dll, "user", "list", "--data", data], Wait,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = "/tmp", ["HOME"] = "/tmp" });

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"cannot read {data}, on the way to the data directory {data} (chosen by --data): it is owned by root (uid 0) with mode 0700, "
            + "and this command runs as nobody. Run it as that account (sudo -u root fumidai … --data " + data + ")", result.StandardError);
    }

    [Fact]
    public async Task Without_data_or_FUMIDAI_DATA_the_message_names_the_default_and_the_folder_it_resolved_to()
    {
        using var dir = new TempDirectory("fumidai-cwd");
        var result = await RunInAsync(dir.Path, null, "user", "list");
        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"no data directory at {dir.Combine("fumidai-data")} (chosen by the default ./fumidai-data of the current directory "
            + "(no --data, no $FUMIDAI_DATA)). Create one with `fumidai init --data " + dir.Combine("fumidai-data") + "`", result.StandardError);

        Directory.CreateDirectory(dir.Combine("elsewhere"));
        var fromEnvironment = await RunInAsync(dir.Path, dir.Combine("elsewhere"), "sessions", "list");
        Assert.Equal(ExitCodes.Configuration, fromEnvironment.ExitCode);
        Assert.Contains($"{dir.Combine("elsewhere")} (chosen by $FUMIDAI_DATA) is not a Fumidai data directory: it has no fumidai.db and no master.key",
            fromEnvironment.StandardError);
    }

    private static Task<ProcessRunner.Result> RunInAsync(string workingDirectory, string? fumidaiData, params string[] args)
    {
        // ProcessRunner has no working directory: a shell changes into it first.
        string script = $"cd '{workingDirectory}' && exec dotnet '{Dll}' " + string.Join(' ', args);
        var environment = new Dictionary<string, string> { ["FUMIDAI_DATA"] = fumidaiData ?? "" };
        return ProcessRunner.RunAsync("sh", ["-c", script], Wait, environment: environment);
    }
}
