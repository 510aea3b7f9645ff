using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Fumidai.Testing;

/// <summary>The certificate and key (PEM files) a TLS receiver presents, and the CA file it trusts.</summary>
public sealed record RsyslogTls(string CertificateFile, string KeyFile, string CaFile);

/// <summary>
/// Debian's rsyslogd as a syslog receiver on 127.0.0.1: its own configuration and work folder, a TCP (or TLS) input on a
/// free port, every message written raw, one per line, to <see cref="OutputFile"/>. Never the system's rsyslog service:
/// started in the foreground with <c>-n -f</c>, stopped by its PID.
/// </summary>
public sealed class RsyslogProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private RsyslogProcess(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string OutputFile => Path.Combine(_directory, "messages.log");

    /// <summary>What rsyslogd printed (its own errors, TLS refusals).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes the configuration into <paramref name="directory"/> and starts the receiver on <paramref name="port"/>.</summary>
    public static async Task<RsyslogProcess> StartAsync(string directory, int port, RsyslogTls? tls = null)
    {
        Directory.CreateDirectory(directory);
        var receiver = new RsyslogProcess(directory, port);
        string global = tls is null
            ? $"global(workDirectory=\"{directory}\" maxMessageSize=\"64k\")"
            : $"global(workDirectory=\"{directory}\" maxMessageSize=\"64k\" defaultNetstreamDriverCAFile=\"{tls.CaFile}\" " +
              $"defaultNetstreamDriverCertFile=\"{tls.CertificateFile}\" defaultNetstreamDriverKeyFile=\"{tls.KeyFile}\")";
        string module = tls is null
            ? "module(load=\"imtcp\")"
            : "module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\")";
        File.WriteAllText(Path.Combine(directory, "rsyslog.conf"), $"""
            {global}
            {module}
            input(type="imtcp" port="{port}" address="127.0.0.1")
            template(name="raw" type="string" string="%rawmsg%\n")
            action(type="omfile" file="{receiver.OutputFile}" template="raw")

            """);
        await receiver.StartAsync();
        return receiver;
    }

    /// <summary>Starts (again) with the same configuration and port, and waits (bounded) until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("rsyslogd is running");
        _process?.Dispose();
        var start = new ProcessStartInfo("rsyslogd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-n", "-f", Path.Combine(_directory, "rsyslog.conf"), "-i", Path.Combine(_directory, "rsyslogd.pid") })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (!await IsListeningAsync())
        {
            if (_process.HasExited) throw new InvalidOperationException("rsyslogd exited at start: " + Log);
            if (waited.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("rsyslogd did not listen within 20 s: " + Log);
            await Task.Delay(100);
        }
    }

    /// <summary>A listening socket in /proc/net/tcp, so readiness is seen without opening a connection to the receiver.</summary>
    private Task<bool> IsListeningAsync()
    {
        string local = $"0100007F:{Port:X4}";
        bool listening = File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 3 && fields[1] == local && fields[3] == "0A");
        return Task.FromResult(listening);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>SIGTERM by PID (rsyslogd writes what it has, then exits), waited for at most 20 s.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        if (SendSignal(_process.Id, SigTerm) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}) failed with errno {Marshal.GetLastPInvokeError()}");
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            ProcessRunner.Kill(_process);
        }
    }

    /// <summary>The lines written so far (none before the first message).</summary>
    public IReadOnlyList<string> Lines()
    {
        if (!File.Exists(OutputFile)) return [];
        using var stream = new FileStream(OutputFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Waits (bounded) until the received lines satisfy <paramref name="done"/>; returns them either way.</summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var lines = Lines();
            if (done(lines) || waited.Elapsed > timeout) return lines;
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
