using Fumidai.Cli.Output;

namespace Fumidai.Cli.Infrastructure;

/// <summary>The standard streams a command uses; tests pass their own to run the CLI in-process.</summary>
/// <remarks>
/// <see cref="Out"/> and <see cref="Error"/> escape control characters (<see cref="ControlText"/>), newlines included: what a
/// command prints about users, sessions and audit events is data, never terminal input, and a line ends only with WriteLine.
/// </remarks>
public sealed class CliConsole
{
    public CliConsole(TextReader input, TextWriter output, TextWriter error, bool errorIsTerminal = false)
    {
        ErrorIsTerminal = errorIsTerminal;
        In = input;
        RawOut = output;
        RawError = error;
        Out = new EscapingWriter(output);
        Error = new EscapingWriter(error);
    }

    /// <summary>The process's own stdin, stdout and stderr.</summary>
    public static CliConsole System => new(Console.In, Console.Out, Console.Error, !Console.IsErrorRedirected);

    /// <summary>Whether stderr is a terminal, where progress can redraw one line instead of printing one per step.</summary>
    public bool ErrorIsTerminal { get; }

    public TextReader In { get; }

    /// <summary>Standard output, escaped.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error, escaped.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output as is: only for a stream meant for the terminal, the replay of a recorded session.</summary>
    public TextWriter RawOut { get; }

    /// <summary>Standard error as is; <see cref="Error"/> is the one for messages.</summary>
    public TextWriter RawError { get; }
}
