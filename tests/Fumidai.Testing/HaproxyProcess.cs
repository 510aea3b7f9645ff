using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fumidai.Testing;

/// <summary>Debian's haproxy in TCP mode on a free 127.0.0.1 port, round-robin to backends with <c>send-proxy-v2</c>; stopped by PID.</summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;

    private HaproxyProcess(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts haproxy in the foreground and waits (bounded) until it accepts connections.</summary>
    public static async Task<HaproxyProcess> StartAsync(IReadOnlyList<int> backendPorts)
    {
        if (!File.Exists("/usr/sbin/haproxy")) throw new InvalidOperationException("haproxy is not installed: apt-get install haproxy");
        var directory = new TempDirectory("fumidai-haproxy");
        int port = FreePort();
        var config = new List<string>
        {
            "global", "  maxconn 512",
            "defaults", "  mode tcp", "  timeout connect 5s", "  timeout client 120s", "  timeout server 120s",
            "frontend ssh", $"  bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "  default_backend nodes",
            "backend nodes", "  balance roundrobin",
        };
        for (int i = 0; i < backendPorts.Count; i++)
            config.Add($"  server n{i} 127.0.0.1:{backendPorts[i].ToString(CultureInfo.InvariantCulture)} send-proxy-v2");
        string file = directory.Combine("haproxy.cfg");
        File.WriteAllLines(file, config);
        var info = new ProcessStartInfo("/usr/sbin/haproxy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-db", "-f", file }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start haproxy");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var haproxy = new HaproxyProcess(process, directory, port);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                await haproxy.DisposeAsync();
                throw new InvalidOperationException($"haproxy exited with {process.ExitCode}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return haproxy;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        await haproxy.DisposeAsync();
        throw new TimeoutException("haproxy did not listen within 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
