using Microsoft.Extensions.Logging;

namespace Fumidai.Testing;

/// <summary>Keeps every log entry so a test can assert what the server logged, and that it logged no errors.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<Entry> _entries = [];

    public sealed record Entry(LogLevel Level, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> State);

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries) return _entries.ToArray();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        lock (_entries) _entries.Add(new Entry(logLevel, formatter(state, exception), exception, values.ToArray()));
    }

    /// <summary>Waits until an entry matching <paramref name="predicate"/> appears (the server logs after the socket closes).</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var match = Entries.FirstOrDefault(predicate);
            if (match is not null) return match;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("no matching log entry; log so far:\n" + string.Join('\n', Entries.Select(e => $"{e.Level}: {e.Message}")));
            await Task.Delay(20);
        }
    }

    /// <summary>Errors mean an exception reached the server's last-resort handler: bad input must never get there.</summary>
    public void AssertNoErrors()
    {
        var errors = Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("the server logged errors:\n" + string.Join('\n', errors.Select(e => $"{e.Level}: {e.Message} {e.Exception}")));
    }
}
