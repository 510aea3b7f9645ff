using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fumidai.Testing;

/// <summary>A real s3rver (tests/s3rver, version pinned by its lock file) on 127.0.0.1, stopped and restarted by PID.</summary>
public sealed class S3rverProcess : IDisposable
{
    private readonly string _directory;
    private Process? _process;

    public S3rverProcess()
    {
        _directory = Directory.CreateTempSubdirectory("fumidai-s3rver-").FullName;
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Starts (again) on the same port and data directory, so objects survive a stop.</summary>
    public void Start()
    {
        string root = RepositoryRoot.Path;
        string s3rverDir = Path.Combine(root, "tests", "s3rver");
        string bin = Path.Combine(s3rverDir, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(bin)) Run("npm", "ci --no-audit --no-fund", s3rverDir);
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { bin, "--directory", _directory, "--address", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
            info.ArgumentList.Add(a);
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start node");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited) throw new InvalidOperationException($"s3rver exited with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        throw new TimeoutException("s3rver did not listen within 20 s");
    }

    /// <summary>Kills the server by its PID (an outage, as far as clients can tell).</summary>
    public void Stop()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string arguments, string directory)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, UseShellExecute = false })
            ?? throw new InvalidOperationException($"cannot start {file}");
        if (!p.WaitForExit(300_000)) p.Kill();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed with {p.ExitCode}");
    }
}
