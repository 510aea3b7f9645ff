using System.CommandLine;
using System.CommandLine.Help;
using Fumidai.Cli.Commands;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;

namespace Fumidai.Cli;

/// <summary>The <c>fumidai</c> command tree, one class per noun, and the parse-then-run entry point.</summary>
public static class FumidaiCommandLine
{
    public static RootCommand Build(CliRuntime runtime)
    {
        var root = new RootCommand("Fumidai: an SSH bastion with TOTP, session recording and idle timeouts.\n"
            + "Exit codes: 0 ok, 1 failure, 2 usage error, 3 not found, 4 already exists or in use, 5 data directory or configuration problem.");
        root.Options.Add(runtime.DataOption);
        root.Subcommands.Add(InitCommand.Create(runtime));
        root.Subcommands.Add(ServeCommand.Create(runtime));
        root.Subcommands.Add(UserCommands.Create(runtime));
        root.Subcommands.Add(CaCommands.Create(runtime));
        root.Subcommands.Add(TargetCommands.Create(runtime));
        root.Subcommands.Add(RoleCommands.Create(runtime));
        root.Subcommands.Add(SessionCommands.Create(runtime));
        root.Subcommands.Add(AuditCommand.Create(runtime));
        root.Subcommands.Add(VerifyCommand.Create(runtime));
        root.Subcommands.Add(CompletionCommand.Create(runtime));
        root.Subcommands.Add(SshConfigCommand.Create(runtime));
        root.Subcommands.Add(AgentCommand.Create(runtime));
        return root;
    }

    /// <summary>Parses and runs; parse errors exit with <see cref="ExitCodes.Usage"/> and a pointer to --help.</summary>
    public static async Task<int> RunAsync(string[] args, CliRuntime runtime, CancellationToken cancellationToken = default)
    {
        var root = Build(runtime);
        var result = root.Parse(args);
        var console = runtime.Console;
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            foreach (var error in result.Errors)
                console.Error.WriteLine("fumidai: error: " + error.Message);
            var path = string.Join(' ', CommandPath(result.CommandResult.Command, root));
            foreach (var hint in NameSuggestions.For(result.CommandResult.Command, result.UnmatchedTokens, path))
                console.Error.WriteLine("fumidai: " + hint);
            console.Error.WriteLine($"Try '{path} --help'.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration
        {
            // Help is our own text, laid out in lines; anything else still has its control characters escaped.
            Output = new EscapingWriter(console.RawOut, keepLineBreaks: true),
            Error = new EscapingWriter(console.RawError, keepLineBreaks: true),
            // Our actions catch their own failures (CliRuntime.RunAsync); anything else is a bug worth a stack trace.
            EnableDefaultExceptionHandler = true,
        };
        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static List<string> CommandPath(Command command, RootCommand root)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c == root ? "fumidai" : c.Name);
        return names;
    }
}
