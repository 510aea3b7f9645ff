namespace Fumidai.Gateway.Tests.Cli;

/// <summary>What one in-process run of <c>fumidai</c> returned and printed.</summary>
public sealed record CliResult(string[] Args, int ExitCode, string Out, string Error)
{
    public override string ToString() => $"fumidai {string.Join(' ', Args)} => {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
