namespace Fumidai.Cli.Infrastructure;

/// <summary>The standard streams a command uses; tests pass their own to run the CLI in-process.</summary>
public sealed class CliConsole
{
    public CliConsole(TextReader input, TextWriter output, TextWriter error)
    {
        In = input;
        Out = output;
        Error = error;
    }

    /// <summary>The process's own stdin, stdout and stderr.</summary>
    public static CliConsole System => new(Console.In, Console.Out, Console.Error);

    public TextReader In { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }
}
