using System.Diagnostics;
using System.Text;

namespace Fumidai.Testing;

/// <summary><c>fumidai agent</c> as a real process, inside a network namespace when given one; its stderr kept as its log, stopped by PID.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private int _disposed;

    private AgentProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => Volatile.Read(ref _disposed) == 1 || _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>Starts <c>fumidai agent ARGS</c>; with <paramref name="ns"/>, as <c>ip netns exec NS dotnet fumidai.dll agent ARGS</c>.</summary>
    public static AgentProcess Start(NetworkNamespace? ns, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(ns is null ? "dotnet" : "ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        IEnumerable<string> prefix = ns is null ? [] : [.. ns.ExecPrefix, "dotnet"];
        foreach (var arg in prefix.Concat([BastionProcess.FumidaiDll, "agent"]).Concat(arguments))
            info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start fumidai agent"));
    }

    /// <summary>Waits (bounded) until the log contains <paramref name="text"/> after <paramref name="from"/> characters.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            string log = Log;
            if (log.Length > from && log.IndexOf(text, from, StringComparison.Ordinal) >= 0) return true;
            if (HasExited) return Log.IndexOf(text, Math.Min(from, Log.Length), StringComparison.Ordinal) >= 0;
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>SIGKILL, as a crash or a pulled plug would end it.</summary>
    public async Task KillAsync()
    {
        ProcessRunner.Kill(_process);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        // A test disposes its own agents and the fixture all it started: the second call finds nothing to do.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        ProcessRunner.Kill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
    }
}
