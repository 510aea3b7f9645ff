using System.Diagnostics;
using System.Text;

namespace Fumidai.Testing;

/// <summary>
/// <c>ssh -tt</c> driven through pipes like a person at a terminal: the remote pty echoes, we type lines and wait
/// (bounded) for text to appear. Stopped by PID on dispose.
/// </summary>
public sealed class InteractiveSsh : IAsyncDisposable
{
    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reader;

    private InteractiveSsh(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
        _reader = Task.Run(ReadOutputAsync);
    }

    public static InteractiveSsh Start(IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("ssh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new InteractiveSsh(Process.Start(info) ?? throw new InvalidOperationException("could not start ssh"));
    }

    public int Pid => _process.Id;

    /// <summary>What the terminal showed so far (the pty's output, with the remote echo of what we typed).</summary>
    public string Output
    {
        get
        {
            lock (_stdout) return Encoding.UTF8.GetString(_stdout.GetBuffer(), 0, (int)_stdout.Length);
        }
    }

    public string Error
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    private async Task ReadOutputAsync()
    {
        var buffer = new byte[16 * 1024];
        var stream = _process.StandardOutput.BaseStream;
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                return;
            }
            if (read == 0) return;
            lock (_stdout) _stdout.Write(buffer, 0, read);
        }
    }

    /// <summary>Types <paramref name="text"/> (use <c>\r</c> for Enter, as a terminal sends).</summary>
    public async Task TypeAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _process.StandardInput.BaseStream.WriteAsync(bytes);
        await _process.StandardInput.BaseStream.FlushAsync();
    }

    /// <summary>Waits (bounded) until the output contains <paramref name="text"/> after position <paramref name="from"/>; fails with the transcript.</summary>
    public async Task<int> WaitForAsync(string text, TimeSpan timeout, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string output = Output;
            int index = output.IndexOf(text, Math.Min(from, output.Length), StringComparison.Ordinal);
            if (index >= 0) return index;
            if (clock.Elapsed > timeout || (_process.HasExited && _reader.IsCompleted))
            {
                string state = _process.HasExited ? $"ssh exited with {_process.ExitCode}" : $"not within {timeout}";
                throw new Xunit.Sdk.XunitException($"'{text}' did not appear ({state}).\n--- output ---\n{Output}\n--- stderr ---\n{Error}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (bounded) for ssh to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"ssh did not exit within {timeout}.\n--- output ---\n{Output}\n--- stderr ---\n{Error}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
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
