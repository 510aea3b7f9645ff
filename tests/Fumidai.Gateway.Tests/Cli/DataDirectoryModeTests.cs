using System.Diagnostics;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>The data directory holds secrets and recordings: owner-only whatever the umask, and serve refuses anything looser.</summary>
public sealed class DataDirectoryModeTests
{
    private static readonly UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    [Fact]
    public async Task Init_into_an_existing_open_directory_under_umask_022_leaves_every_file_0600_and_directory_0700_after_serve()
    {
        // serve inherits this process's umask; the test means something only if it lets group and others read.
        Assert.True((CurrentUmask() & Convert.ToInt32("044", 8)) == 0, $"the test process's umask {Convert.ToString(CurrentUmask(), 8)} already hides files");
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.DataPath);
        File.SetUnixFileMode(cli.DataPath, (UnixFileMode)Convert.ToInt32("755", 8));

        var init = await RunUnderUmaskAsync("022", "init", "--data", cli.DataPath);
        Assert.True(init.ExitCode == 0, init.Output);
        AssertOwnerOnly(cli.DataPath);

        await using (var bastion = await BastionProcess.StartAsync(cli.DataPath))
        {
            Assert.True(File.Exists(cli.Data.DatabasePath + "-wal"), "serve should have the database open in WAL mode");
            Assert.True(File.Exists(cli.Data.DatabasePath + "-shm"));
            AssertOwnerOnly(cli.DataPath);
            Assert.True(await bastion.TerminateAsync(TimeSpan.FromSeconds(30)), bastion.Log);
        }
        AssertOwnerOnly(cli.DataPath);
    }

    [Theory]
    [InlineData("fumidai.json", "644")]
    [InlineData("fumidai.db", "640")]
    [InlineData("host_ed25519.pub", "604")]
    [InlineData("master.key", "620")]
    [InlineData("recordings", "750")]
    [InlineData("", "711")]
    public async Task Serve_refuses_to_start_naming_what_others_can_read_or_write(string name, string mode)
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        string path = Path.Combine(cli.DataPath, name).TrimEnd('/');
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));

        await using (var refused = BastionProcess.Launch(cli.DataPath))
        {
            Assert.True(await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)), refused.Log);
            Assert.True(refused.ExitCode == ExitCodes.Configuration, $"exit {refused.ExitCode}:\n{refused.Log}");
            Assert.Contains(path, refused.Log);
            Assert.Contains("chmod", refused.Log);
        }

        // The same directory with the mode put right starts: the refusal was about that one entry.
        File.SetUnixFileMode(path, Directory.Exists(path) ? DirectoryMode : FileMode);
        await using var started = await BastionProcess.StartAsync(cli.DataPath);
        Assert.False(started.HasExited);
    }

    /// <summary>Every entry under <paramref name="root"/>, and the root itself: directories 0700, files 0600.</summary>
    private static void AssertOwnerOnly(string root)
    {
        var wrong = new List<string>();
        void Check(string path, UnixFileMode expected)
        {
            var actual = File.GetUnixFileMode(path);
            if (actual != expected) wrong.Add($"{Convert.ToString((int)actual, 8)} {path}");
        }
        Check(root, DirectoryMode);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            Check(entry, Directory.Exists(entry) ? DirectoryMode : FileMode);
        Assert.True(wrong.Count == 0, "not owner-only:\n" + string.Join('\n', wrong));
    }

    private static int CurrentUmask()
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Umask:", StringComparison.Ordinal));
        return Convert.ToInt32(line["Umask:".Length..].Trim(), 8);
    }

    /// <summary>The built <c>fumidai</c> as a real process, started by a shell that sets the umask first.</summary>
    private static async Task<(int ExitCode, string Output)> RunUnderUmaskAsync(string umask, params string[] args)
    {
        var info = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", $"umask {umask} && exec dotnet \"$0\" \"$@\"", BastionProcess.FumidaiDll }.Concat(args))
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }
        return (process.ExitCode, await output + await error);
    }
}
