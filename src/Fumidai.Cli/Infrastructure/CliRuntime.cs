using System.CommandLine;
using Fumidai.Cli.HostKeys;
using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Infrastructure;

/// <summary>What every command shares: the console, the global <c>--data</c> option and replaceable services.</summary>
public sealed class CliRuntime
{
    public CliRuntime(CliConsole console, IHostKeyScanner? scanner = null)
    {
        Console = console;
        HostKeyScanner = scanner ?? new SshClientScanner();
    }

    public CliConsole Console { get; }

    public IHostKeyScanner HostKeyScanner { get; }

    /// <summary><c>--data DIR</c>, recursive so every subcommand accepts it.</summary>
    public Option<string?> DataOption { get; } = new("--data")
    {
        Description = $"Data directory (default: ${DataDirectory.EnvironmentVariable}, else ./fumidai-data)",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary>A fresh <c>--json</c> option for a command whose output scripts parse.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Write JSON instead of a table" };

    /// <summary>Runs a command body, turning failures into one stderr line and a meaningful exit code.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, Func<CliContext, Task> body, CancellationToken cancellationToken)
    {
        var context = new CliContext(this, DataDirectory.Resolve(parseResult.GetValue(DataOption)), cancellationToken);
        try
        {
            await body(context).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (CliException ex)
        {
            return Fail(ex.ExitCode, ex.Message);
        }
        catch (Gateway.Administration.AdminRuleException ex)
        {
            return Fail(ex.Kind switch
            {
                Gateway.Administration.AdminRuleKind.NotFound => ExitCodes.NotFound,
                Gateway.Administration.AdminRuleKind.Conflict => ExitCodes.Conflict,
                Gateway.Administration.AdminRuleKind.Unavailable => ExitCodes.Failure,
                _ => ExitCodes.Usage,
            }, ex.Message);
        }
        catch (ConfigurationException ex)
        {
            // One problem per line, by design; the file is the admin's own.
            return Fail(ExitCodes.Configuration, "invalid configuration: " + ex.Message, multiline: true);
        }
        catch (ObjectStoreException ex)
        {
            // Already in operator terms (bucket missing, access denied, endpoint unreachable).
            return Fail(ExitCodes.Failure, ex.Message);
        }
        catch (System.Data.Common.DbException ex)
        {
            // The database's own words (unreachable, refused, missing); the drivers keep passwords out of their messages.
            return Fail(ExitCodes.Failure, "metadata database: " + ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Failure, "interrupted");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ExitCodes.Failure, ex.Message);
        }
        catch (Exception ex)
        {
            // Unexpected: still one line (no stack trace on an operator's terminal), but with the type to report it.
            return Fail(ExitCodes.Failure, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>One error line (a newline in the message, which may echo input, is shown escaped), or one per line when
    /// <paramref name="multiline"/>.</summary>
    private int Fail(int exitCode, string message, bool multiline = false)
    {
        foreach (var line in multiline ? message.Split('\n') : [message])
            Console.Error.WriteLine("fumidai: error: " + (multiline ? line.TrimEnd('\r') : line));
        return exitCode;
    }
}
