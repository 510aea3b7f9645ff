using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai completion bash|zsh</c>: prints a shell completion script for the whole command tree.</summary>
public static class CompletionCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("completion", "Print a shell completion script: source <(fumidai completion bash), or zsh after compinit");
        foreach (var (shell, write) in new (string, Func<RootCommand, string>)[] { ("bash", CompletionScripts.Bash), ("zsh", CompletionScripts.Zsh) })
        {
            var sub = new Command(shell, $"Print the {shell} completion script");
            sub.SetAction(result =>
            {
                // No data directory is needed to complete command names, so none is opened.
                runtime.Console.RawOut.Write(write((RootCommand)result.RootCommandResult.Command));
                return ExitCodes.Ok;
            });
            command.Subcommands.Add(sub);
        }
        return command;
    }
}
