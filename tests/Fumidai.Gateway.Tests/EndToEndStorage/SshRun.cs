using System.Diagnostics;
using System.Text;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>Debian's <c>ssh -tt</c> through the bastion running one command; its output collected as it arrives, stopped by PID.</summary>
public sealed class SshRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reader;

    private SshRun(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_output) _output.Append("[stderr] ").AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static SshRun Start(IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        return new SshRun(Process.Start(info) ?? throw new InvalidOperationException("cannot start ssh"));
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var stream = _process.StandardOutput.BaseStream;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            string text = Encoding.UTF8.GetString(buffer, 0, n);
            lock (_output) _output.Append(text);
        }
    }

    /// <summary>Waits (bounded) until the output contains <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"ssh output has no '{text}' after {timeout.TotalSeconds} s:\n{Tail()}");
            if (_process.HasExited && _reader.IsCompleted && !Output.Contains(text, StringComparison.Ordinal))
                throw new InvalidOperationException($"ssh exited ({_process.ExitCode}) without '{text}':\n{Tail()}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        await _reader.WaitAsync(timeout);
        return _process.ExitCode;
    }

    private string Tail()
    {
        string all = Output;
        return all.Length > 2000 ? all[^2000..] : all;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
