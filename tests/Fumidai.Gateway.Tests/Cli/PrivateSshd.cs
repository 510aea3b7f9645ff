using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>Debian's sshd on a free port of 127.0.0.1 with its own ed25519 host key, for <c>target add --scan</c>.</summary>
/// <remarks>Foreground (<c>-D -e</c>), so its log is its stderr; stopped by its PID on dispose.</remarks>
public sealed class PrivateSshd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PrivateSshd(Process process, int port, SshPublicKey hostKey)
    {
        _process = process;
        Port = port;
        HostKey = hostKey;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_log) _log.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public SshPublicKey HostKey { get; }

    private string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public static async Task<PrivateSshd> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        string hostKeyPath = Path.Combine(folder, "ssh_host_ed25519_key");
        using (var key = SshPrivateKey.Generate("ssh-ed25519"))
        {
            File.WriteAllText(hostKeyPath, OpenSshPrivateKeyFile.Format(key, "scan-test"));
            File.SetUnixFileMode(hostKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var hostKey = SshPrivateKey.Load(hostKeyPath).PublicKey;
        int port = FreePort();
        string config = Path.Combine(folder, "sshd_config");
        File.WriteAllText(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {hostKeyPath}
            PidFile {Path.Combine(folder, "sshd.pid")}
            UsePAM no
            StrictModes no
            """ + "\n");
        Directory.CreateDirectory("/run/sshd");
        var info = new ProcessStartInfo("/usr/sbin/sshd") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-D", "-e", "-f", config }) info.ArgumentList.Add(arg);
        var sshd = new PrivateSshd(Process.Start(info)!, port, hostKey);
        var waited = Stopwatch.StartNew();
        while (!sshd.Log.Contains("Server listening", StringComparison.Ordinal))
        {
            if (sshd._process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
                throw new InvalidOperationException("sshd did not start: " + sshd.Log);
            await Task.Delay(50);
        }
        return sshd;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
    }
}
