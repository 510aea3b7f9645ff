using System.Diagnostics;
using System.Text.Json;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>The built <c>fumidai</c> run as a real process: the real console, stdin, exit codes and <c>$FUMIDAI_DATA</c>.</summary>
public sealed class ProcessCliTests
{
    [Fact]
    public async Task The_executable_uses_FUMIDAI_DATA_reads_stdin_and_exits_with_documented_codes()
    {
        using var cli = new CliHarness();
        var init = await RunAsync(cli.DataPath, "", "init", "--admin", "ops");
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.Contains("\notpauth://totp/Fumidai:ops?", init.Out);

        var add = await RunAsync(cli.DataPath, "a long passw0rd here\n", "user", "add", "pat", "--password-stdin");
        Assert.True(add.ExitCode == 0, add.Error);
        Assert.StartsWith("otpauth://totp/Fumidai:pat?", add.Out);

        var list = await RunAsync(cli.DataPath, "", "user", "list", "--json");
        Assert.Equal(["ops", "pat"], JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()));

        var missing = await RunAsync(cli.DataPath, "", "user", "show", "nobody");
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Equal("", missing.Out);
        Assert.Contains("nobody", missing.Error);

        var usage = await RunAsync(cli.DataPath, "", "target", "add");
        Assert.Equal(ExitCodes.Usage, usage.ExitCode);

        var typo = await RunAsync(cli.DataPath, "", "user", "add", "sam", "--keys", "sam.pub");
        Assert.Equal(ExitCodes.Usage, typo.ExitCode);
        Assert.Contains("'--keys' is not an option of 'fumidai user add'; did you mean '--key'?", typo.Error);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync(cli.DataPath, "", "user", "show", "sam")).ExitCode);
    }

    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(string data, string stdin, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "fumidai.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["FUMIDAI_DATA"] = data;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
