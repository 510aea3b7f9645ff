using Fumidai.Cli;
using Fumidai.Cli.HostKeys;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;
using Microsoft.Data.Sqlite;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>Runs the <c>fumidai</c> command tree in-process on a temporary data directory, with captured console.</summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "fumidai-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        DataPath = Path.Combine(Root, "data");
    }

    /// <summary>A scratch folder for key files and exports; removed on dispose.</summary>
    public string Root { get; }

    public string DataPath { get; }

    public DataDirectory Data => new(DataPath);

    public IHostKeyScanner? Scanner { get; set; }

    public string File(string name) => Path.Combine(Root, name);

    /// <summary>Runs <c>fumidai --data DATA ARGS</c>; the option goes first so a trailing option left without its value stays last.</summary>
    public async Task<CliResult> RunAsync(string[] args, string stdin = "")
    {
        string[] all = ["--data", DataPath, .. args];
        var output = new StringWriter();
        var error = new StringWriter();
        var runtime = new CliRuntime(new CliConsole(new StringReader(stdin), output, error), Scanner);
        int code = await FumidaiCommandLine.RunAsync(all, runtime);
        return new CliResult(all, code, output.ToString(), error.ToString());
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, "");

    /// <summary>Runs and asserts success, showing the whole run when it failed.</summary>
    public async Task<CliResult> OkAsync(params string[] args) => Ok(await RunAsync(args, ""));

    public async Task<CliResult> OkWithInputAsync(string stdin, params string[] args) => Ok(await RunAsync(args, stdin));

    private static CliResult Ok(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public Task<MetadataStore> StoreAsync() => Data.OpenStoreAsync();

    /// <summary>Writes a fresh key pair's public half to a .pub file and returns its path and fingerprint.</summary>
    public (string Path, string Fingerprint) NewPublicKeyFile(string name, string type = "ssh-ed25519")
    {
        using var key = SshPrivateKey.Generate(type);
        string path = File(name + ".pub");
        System.IO.File.WriteAllText(path, key.PublicKey.ToOpenSsh(name + "@test") + "\n");
        return (path, key.PublicKey.Fingerprint);
    }

    public void Dispose()
    {
        // Pooled SQLite connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
