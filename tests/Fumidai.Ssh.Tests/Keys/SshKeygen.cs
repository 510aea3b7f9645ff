using System.Diagnostics;

namespace Fumidai.Ssh.Tests.Keys;

/// <summary>Runs Debian's ssh-keygen in a private temporary directory, each call bounded by a timeout.</summary>
internal sealed class SshKeygen : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public SshKeygen()
    {
        Directory = Path.Combine(Path.GetTempPath(), "fumidai-keys-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Runs ssh-keygen with the arguments; fails the test on a non-zero exit unless <paramref name="allowFailure"/>.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, bool allowFailure = false, string tool = "ssh-keygen")
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        // ssh-keygen -L prints times in the local zone; pin it so tests can compare.
        start.Environment["TZ"] = "UTC";
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + tool);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(tool + " did not finish in time");
        }
        process.WaitForExit();
        var result = (process.ExitCode, stdout.Result, stderr.Result);
        if (!allowFailure && result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Item3}");
        return result;
    }

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments) => Run((IEnumerable<string>)arguments);

    /// <summary>Makes a key with ssh-keygen and returns its private key path.</summary>
    public string Generate(string type, int? bits, string passphrase, string name = "id", string comment = "made-by-ssh-keygen")
    {
        var path = PathOf(name);
        var arguments = new List<string> { "-q", "-t", type, "-N", passphrase, "-C", comment, "-f", path };
        if (bits is not null) arguments.AddRange(["-b", bits.Value.ToString()]);
        Run(arguments);
        return path;
    }

    /// <summary>ssh-keygen refuses private key files others can read.</summary>
    public static void WritePrivate(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
