namespace Fumidai.Cli.Infrastructure;

/// <summary>A failure to report on stderr as one line, with the exit code that says what kind of failure it is.</summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message) : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException NotFound(string message) => new(ExitCodes.NotFound, message);

    public static CliException Conflict(string message) => new(ExitCodes.Conflict, message);

    public static CliException Failure(string message) => new(ExitCodes.Failure, message);
}
