using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Fumidai.Testing;

/// <summary><c>fumidai serve</c> as a real process (<c>dotnet fumidai.dll serve</c>), its stdout and stderr kept as its log.</summary>
/// <remarks>Stopped by PID: SIGTERM (the drain path), or SIGKILL to simulate a crash.</remarks>
public sealed class BastionProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StringBuilder _stdout = new();

    private BastionProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data);
        };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>Set to <c>true</c> in the environment (with <c>FUMIDAI__Web__Listen</c>) to run the web console; it is off otherwise.</summary>
    public const string WebEnabledVariable = "FUMIDAI__Web__Enabled";

    /// <summary>Where the health listener binds; a free port of 127.0.0.1 unless the test's environment says otherwise.</summary>
    public const string HealthListenVariable = "FUMIDAI__Health__Listen";

    public int Pid => _process.Id;

    /// <summary>The health listener's base address, from its start line (waits for it, bounded).</summary>
    public async Task<Uri> HealthUriAsync(TimeSpan? timeout = null)
    {
        const string marker = "health and metrics on http://";
        if (!await WaitForLogAsync(marker, timeout ?? TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"fumidai serve did not log '{marker}':\n{Log}");
        string log = Log;
        int start = log.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        int end = log.IndexOf('/', start);
        return new Uri("http://" + log[start..end] + "/");
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the bastion logged so far (stdout and stderr, in arrival order).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>What the bastion wrote to stdout alone.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_stdout) return _stdout.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>The <c>fumidai</c> build next to this test assembly (copied there by the project reference).</summary>
    public static string FumidaiDll
    {
        get
        {
            string local = Path.Combine(AppContext.BaseDirectory, "fumidai.dll");
            if (File.Exists(local)) return local;
            throw new FileNotFoundException($"fumidai.dll is not next to the test assembly in {AppContext.BaseDirectory}; build tests/Fumidai.Gateway.Tests");
        }
    }

    /// <summary>Starts <c>fumidai serve</c> on a free port of 127.0.0.1 and waits (bounded) for its "listening on" line.</summary>
    public static async Task<BastionProcess> StartAsync(string dataDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        // The free port is only free when we asked: another program may take it before fumidai binds it, so try a few.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(dataDirectory, environment, timeout);
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class PortTakenException(string message) : Exception(message);

    /// <summary>Starts serve without waiting for it to listen (see <see cref="WaitForLogAsync"/>), so refusals to start can be tested.</summary>
    /// <param name="arguments">More arguments for <c>serve</c>, e.g. <c>--no-ssh</c>.</param>
    public static BastionProcess Launch(string dataDirectory, IDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null) =>
        Launch(dataDirectory, environment, FreePort(), arguments);

    private static BastionProcess Launch(string dataDirectory, IDictionary<string, string>? environment, int port, IReadOnlyList<string>? arguments = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { FumidaiDll, "serve", "--data", dataDirectory, "--ssh-listen", $"127.0.0.1:{port}" }.Concat(arguments ?? []))
            info.ArgumentList.Add(arg);
        // Plain log lines: no colours, no terminal width guesses.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The web console is on by default at 0.0.0.0:8443: a test that does not ask for it must not take (or fight over) that port.
        info.Environment[WebEnabledVariable] = "false";
        // Likewise the health listener's default 127.0.0.1:9090: each process takes a free port and logs it (HealthUriAsync).
        info.Environment[HealthListenVariable] = "127.0.0.1:0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet fumidai.dll serve");
        return new BastionProcess(process, port);
    }

    private static async Task<BastionProcess> StartOnFreePortAsync(string dataDirectory, IDictionary<string, string>? environment, TimeSpan? timeout)
    {
        int port = FreePort();
        var bastion = Launch(dataDirectory, environment, port);
        try
        {
            string expected = $"listening on 127.0.0.1:{port}";
            if (!await bastion.WaitForLogAsync(expected, timeout ?? TimeSpan.FromSeconds(60)))
            {
                if (bastion.HasExited && bastion.Log.Contains("in use", StringComparison.OrdinalIgnoreCase))
                    throw new PortTakenException($"port {port} was taken:\n{bastion.Log}");
                throw new TimeoutException(bastion.HasExited
                    ? $"fumidai serve exited with {bastion.ExitCode} before listening:\n{bastion.Log}"
                    : $"fumidai serve did not log '{expected}' in time:\n{bastion.Log}");
            }
            return bastion;
        }
        catch
        {
            await bastion.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (bounded) until the log contains <paramref name="text"/>; false on timeout or if the process exited without it.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Log.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited)
            {
                // Let the asynchronous readers deliver the last lines.
                await _process.WaitForExitAsync();
                return Log.Contains(text, StringComparison.Ordinal);
            }
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>SIGTERM: the bastion drains. Returns true if it exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        Signal(SigTerm);
        return await WaitForExitAsync(timeout);
    }

    /// <summary>SIGTERM without waiting: the first starts a drain, a second one cuts what still runs.</summary>
    public void SendTerminate() => Signal(SigTerm);

    /// <summary>SIGKILL: a crash, nothing is finalised.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        Signal(SigKill);
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(10))) throw new TimeoutException($"fumidai serve (pid {Pid}) survived SIGKILL");
    }

    /// <summary>Waits (bounded) for the process to exit on its own.</summary>
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

    private void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>A TCP port of 127.0.0.1 free when asked (another program may take it before it is bound).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM, then SIGKILL if the drain does not finish in 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!await TerminateAsync(TimeSpan.FromSeconds(30))) await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
