using System.Text;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>fumidai completion bash|zsh</c>: scripts printed by the real executable, loaded into real shells.</summary>
public sealed class CompletionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bash_completes_commands_and_options_for_the_command_path_typed_so_far()
    {
        using var dir = new TempDirectory();
        string script = await ScriptAsync(dir, "bash");
        // Calls the completion function the way bash does, with the words typed so far and the index of the current one.
        string driver = $$"""
            source '{{script}}'
            at() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _fumidai; printf '%s\n' "${COMPREPLY[@]}" | sort; echo ---; }
            at fumidai ''
            at fumidai sessions se
            at fumidai --data /tmp/x user a
            at fumidai user add alice --key ''
            at fumidai user add alice --key k.pub --r
            at fumidai target add web01 --host 10.0.0.1 --s
            """;
        var result = await ProcessRunner.RunAsync("bash", ["--norc", "--noprofile", "-c", driver], Wait);
        Assert.True(result.ExitCode == 0, result.StandardError);
        var answers = result.Output.Split("---\n");
        var top = Lines(answers[0]);
        foreach (var name in new[] { "init", "serve", "user", "sessions", "verify", "completion", "--data", "--help" }) Assert.Contains(name, top);
        Assert.DoesNotContain("/?", top);
        Assert.Equal(["search"], Lines(answers[1]));
        Assert.Equal(["add"], Lines(answers[2]));
        Assert.Empty(Lines(answers[3]));            // a file name goes here: bash's own file completion takes over
        Assert.Equal(["--role"], Lines(answers[4]));
        Assert.Contains("--scan", Lines(answers[5]));
    }

    [Theory]
    [InlineData("bash", "bash --norc --noprofile -i", "source {0}")]
    [InlineData("zsh", "zsh -f -i", "autoload -U compinit && compinit -u && source {0}")]
    public async Task Tab_in_an_interactive_shell_completes_a_subcommand(string shell, string spawn, string load)
    {
        using var dir = new TempDirectory();
        string script = await ScriptAsync(dir, shell);
        string expect = dir.Combine("tab.exp");
        await File.WriteAllTextAsync(expect, $$"""
            set timeout 15
            spawn {{spawn}}
            send "{{string.Format(System.Globalization.CultureInfo.InvariantCulture, load, script)}}\r"
            send "fumidai sessions sea\t"
            expect {
                "sessions search" { send "\003"; send "exit\r"; exit 0 }
                timeout { exit 1 }
                eof { exit 2 }
            }
            """);
        var result = await ProcessRunner.RunAsync("expect", [expect], Wait);
        Assert.True(result.ExitCode == 0, $"{shell} did not complete 'sea' to 'search' (expect exit {result.ExitCode}):\n{result.Output}");
    }

    private static async Task<string> ScriptAsync(TempDirectory dir, string shell)
    {
        var printed = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "fumidai.dll"), "completion", shell], Wait,
            environment: new Dictionary<string, string> { ["FUMIDAI_DATA"] = dir.Combine("no-such-data") });
        Assert.True(printed.ExitCode == 0, printed.StandardError);
        string path = dir.Combine("fumidai." + shell);
        await File.WriteAllBytesAsync(path, printed.StandardOutput);
        Assert.False(Directory.Exists(dir.Combine("no-such-data")), "printing a completion script must not create a data directory");
        return path;
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
