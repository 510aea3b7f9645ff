using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Fumidai.Ssh.Wire;

namespace Fumidai.Cli.Output;

/// <summary>The server log format: one line per entry, UTC time, level, category, message, scopes and exception, with every
/// control character escaped (<see cref="ControlText"/>).</summary>
/// <remarks>
/// Log lines carry user names, commands, channel types and request names straight from the network; an operator tailing the log
/// must not have them forge lines or drive the terminal. No colours: they would be escape codes of our own in the same stream.
/// </remarks>
public sealed class EscapingConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "fumidai-escaped";

    public EscapingConsoleFormatter() : base(FormatterName)
    {
    }

    /// <summary>The logger factory of <c>serve</c>: information and above, to stdout (stderr when stdout carries the audit log), in this format.</summary>
    public static ILoggerFactory CreateFactory(bool toStandardError = false) => LoggerFactory.Create(builder => builder
        .AddConsole(options =>
        {
            options.FormatterName = FormatterName;
            if (toStandardError) options.LogToStandardErrorThreshold = LogLevel.Trace;
        })
        .AddConsoleFormatter<EscapingConsoleFormatter, ConsoleFormatterOptions>()
        .SetMinimumLevel(LogLevel.Information));

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter) =>
        textWriter.Write(Format(logEntry, scopeProvider, DateTimeOffset.UtcNow));

    /// <summary>The whole line, newline included.</summary>
    public static string Format<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, DateTimeOffset time)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        var line = new StringBuilder(128)
            .Append(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(Level(logEntry.LogLevel))
            .Append(": ");
        ControlText.Append(line, logEntry.Category);
        line.Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        ControlText.Append(line, message);
        scopeProvider?.ForEachScope((scope, builder) =>
        {
            builder.Append(" => ");
            ControlText.Append(builder, Convert.ToString(scope, CultureInfo.InvariantCulture));
        }, line);
        if (logEntry.Exception is { } exception)
        {
            // The stack trace stays on this line, its newlines shown as \n.
            line.Append(' ');
            ControlText.Append(line, exception.ToString());
        }
        return line.Append('\n').ToString();
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
