using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary><c>fumidai serve</c> as a real process on a free port of 127.0.0.1; stopped by its PID (SIGTERM drains, SIGKILL crashes).</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is not null) lock (_log) _log.AppendLine(line);
    }

    /// <summary>Starts serve; does not wait for it to listen (see <see cref="WaitForLogAsync"/>), so refusals can be tested too.</summary>
    public static ServeProcess Start(string data, IDictionary<string, string> environment)
    {
        int port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "fumidai.dll"), "serve", "--data", data, "--ssh-listen", $"127.0.0.1:{port}" })
            info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new ServeProcess(Process.Start(info) ?? throw new InvalidOperationException("cannot start fumidai serve"), port);
    }

    /// <summary>Waits (bounded) for a log line; false on timeout or when the process exited without writing it.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Log.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                return Log.Contains(text, StringComparison.Ordinal);
            }
            await Task.Delay(50);
        }
        return false;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL by PID: a crash, nothing is finalised.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(10))) throw new TimeoutException($"fumidai serve (pid {_process.Id}) survived SIGKILL");
    }

    /// <summary>SIGTERM by PID: the drain path.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        return await WaitForExitAsync(timeout);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!await TerminateAsync(TimeSpan.FromSeconds(30))) await KillAsync();
        _process.Dispose();
    }
}
