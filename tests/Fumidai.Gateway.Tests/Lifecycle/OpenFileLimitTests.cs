using System.Diagnostics;
using Fumidai.Gateway.Tests.Cli;

namespace Fumidai.Gateway.Tests.Lifecycle;

/// <summary>
/// <c>serve</c> runs at its hard open-file limit (the runtime raises the soft one at start, and serve makes sure) and
/// says in its log how many that is.
/// </summary>
public sealed class OpenFileLimitTests
{
    [Fact]
    public async Task Serve_started_at_a_soft_limit_of_512_runs_at_the_hard_limit_and_logs_it()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init", "--admin", "boss");
        int port = Fumidai.Testing.BastionProcess.FreePort();
        // As a service manager would start it: a low soft limit under a higher hard one.
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"ulimit -S -n 512 && exec dotnet \"$0\" serve --data \"$1\" --ssh-listen 127.0.0.1:{port}");
        info.ArgumentList.Add(Fumidai.Testing.BastionProcess.FumidaiDll);
        info.ArgumentList.Add(cli.DataPath);
        info.Environment["FUMIDAI__Web__Enabled"] = "false";
        // The health listener's default port may be taken by another test's serve: a free one.
        info.Environment[Fumidai.Testing.BastionProcess.HealthListenVariable] = "127.0.0.1:0";
        info.Environment["NO_COLOR"] = "1";
        using var serve = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        serve.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        serve.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            string text = "";
            while (!text.Contains("listening on", StringComparison.Ordinal) && !serve.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
                lock (log) text = log.ToString();
            }
            Assert.False(serve.HasExited, "serve exited:\n" + text);
            ulong hard = ulong.Parse((await Fumidai.Testing.ProcessRunner.RunAsync("bash", ["-c", "ulimit -H -n"], TimeSpan.FromSeconds(10))).Output.Trim());
            Assert.True(hard > 512, "the test needs a hard limit above 512");
            Assert.Matches($@"open-file limit (raised from 512 to )?{hard}, the hard limit \(about {hard / 3} sessions", text);
            // What the running process has now, read from the kernel.
            string limits = await File.ReadAllTextAsync($"/proc/{serve.Id}/limits");
            Assert.Matches($@"Max open files\s+{hard}\s+{hard}", limits);
        }
        finally
        {
            if (!serve.HasExited) serve.Kill();
            await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
