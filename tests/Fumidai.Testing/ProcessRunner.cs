using System.Diagnostics;
using System.Text;

namespace Fumidai.Testing;

/// <summary>Runs an external program (ssh, ssh-keygen, ssh-audit…) with a timeout; kills it by PID if it overruns.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, byte[] StandardOutput, string StandardError)
    {
        public string Output => Encoding.UTF8.GetString(StandardOutput);
    }

    /// <param name="standardInput">Bytes to feed on stdin (then closed); null closes stdin at once.</param>
    /// <param name="standardInputFile">Alternatively a file streamed to stdin.</param>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        byte[]? standardInput = null, string? standardInputFile = null, IDictionary<string, string>? environment = null,
        Func<Stream, Task>? consumeOutput = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment) info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var stdoutBuffer = new MemoryStream();
            var stdout = consumeOutput is null
                ? process.StandardOutput.BaseStream.CopyToAsync(stdoutBuffer, cts.Token)
                : consumeOutput(process.StandardOutput.BaseStream);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            var stdin = Task.Run(async () =>
            {
                try
                {
                    if (standardInput is not null) await process.StandardInput.BaseStream.WriteAsync(standardInput, cts.Token);
                    if (standardInputFile is not null)
                    {
                        await using var file = File.OpenRead(standardInputFile);
                        await file.CopyToAsync(process.StandardInput.BaseStream, 256 * 1024, cts.Token);
                    }
                }
                catch (IOException)
                {
                    // The program may exit without reading all of its input.
                }
                finally
                {
                    try
                    {
                        process.StandardInput.Close();
                    }
                    catch (IOException)
                    {
                    }
                }
            });
            await process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(stdout, stderr, stdin);
            return new Result(process.ExitCode, stdoutBuffer.ToArray(), await stderr);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}");
        }
        finally
        {
            Kill(process);
        }
    }

    /// <summary>Stops a process and its children by PID.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
