using Microsoft.Extensions.Logging;

namespace Fumidai.Web.Hosting;

/// <summary>
/// serve's logger factory for the console: the framework's own categories only from warnings up. Its request lines would
/// fill the log, and nothing in a request's path of the console may ever put recording text in the log.
/// </summary>
public sealed class QuietFrameworkLoggers(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        if (!categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)) return logger;
        // Key management warns that in-memory keys are "unencrypted at rest": they are never at rest.
        var minimum = categoryName.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal) ? LogLevel.Error : LogLevel.Warning;
        return new MinimumLevel(logger, minimum);
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The outer factory belongs to serve, which disposes it.</summary>
    public void Dispose()
    {
    }

    private sealed class MinimumLevel(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
