namespace Fumidai.Gateway.Storage;

/// <remarks>
/// Failed logins are counted per user and per source (an IPv4 address or an IPv6 /64). A guesser somewhere on the
/// internet can then lock a user out only from where the guesser is, not from everywhere, while each source still gets at
/// most <c>threshold</c> consecutive failures before a lock (PCI DSS 8.3.4 holds source by source). "Consecutive" is
/// counted within one source: a success from one source clears that source's count only, because it says nothing about
/// the guesses made elsewhere; a lock that has run out starts its source's count again from zero, otherwise the next
/// single failure would lock at once. Rows with source <see cref="AllSources"/> apply to every source.
/// </remarks>
public sealed partial class MetadataStore
{
    /// <summary>The source of a lock that holds wherever the user comes from (locks carried over from before per-source counting).</summary>
    public const string AllSources = "*";

    /// <summary>Counts one failure from <paramref name="source"/>; locks that source for <paramref name="lockFor"/> once <paramref name="threshold"/> is reached.</summary>
    /// <returns>The consecutive failure count from this source after this one, and whether the source is now locked.</returns>
    public async Task<(int Failures, bool Locked)> RecordFailureAsync(string userName, string source, int threshold, TimeSpan lockFor,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // One statement: concurrent failures on several nodes all count. Times are stored in a fixed-width UTC format, so
        // they compare as text. A lock still running is never extended by a late failure.
        command.CommandText = """
            INSERT INTO source_lockouts (user_name, source, failures, locked_until)
                VALUES (@user, @source, 1, CASE WHEN 1 >= @threshold THEN @until END)
            ON CONFLICT(user_name, source) DO UPDATE SET
                failures = CASE WHEN source_lockouts.locked_until <= @now THEN 1 ELSE source_lockouts.failures + 1 END,
                locked_until = CASE
                    WHEN source_lockouts.locked_until > @now THEN source_lockouts.locked_until
                    WHEN (CASE WHEN source_lockouts.locked_until <= @now THEN 1 ELSE source_lockouts.failures + 1 END) >= @threshold THEN @until
                    ELSE NULL END
            RETURNING failures, locked_until
            """;
        Add(command, "@user", userName);
        Add(command, "@source", source);
        Add(command, "@threshold", threshold);
        Add(command, "@now", Time(now));
        Add(command, "@until", Time(now + lockFor));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        int failures = reader.GetInt32(0);
        bool locked = !reader.IsDBNull(1) && ParseTime(reader.GetString(1)) > now;
        return (failures, locked);
    }

    /// <summary>The time until which logins of the user from <paramref name="source"/> are locked, or null when they are not.</summary>
    public Task<DateTimeOffset?> GetLockedUntilAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        LockedUntilAsync("SELECT MAX(locked_until) FROM source_lockouts WHERE user_name = @user AND source IN (@source, '*')", userName, source, now,
            cancellationToken);

    /// <summary>The latest time until which the user is locked from any source, or null when she is locked from none.</summary>
    public Task<DateTimeOffset?> GetLockedUntilAsync(string userName, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        LockedUntilAsync("SELECT MAX(locked_until) FROM source_lockouts WHERE user_name = @user", userName, null, now, cancellationToken);

    private async Task<DateTimeOffset?> LockedUntilAsync(string query, string userName, string? source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        Add(command, "@user", userName);
        if (source is not null) Add(command, "@source", source);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (value is not string text) return null;
        var until = ParseTime(text);
        return until > now ? until : null;
    }

    /// <summary>Clears the failure count and lock of one source (a successful login from it).</summary>
    public async Task<bool> ClearFailuresAsync(string userName, string source, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM source_lockouts WHERE user_name = @user AND source = @source";
        Add(command, "@user", userName);
        Add(command, "@source", source);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Clears every failure count and lock of the user, from every source (<c>user unlock</c>).</summary>
    public async Task<bool> ClearFailuresAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM source_lockouts WHERE user_name = @user";
        Add(command, "@user", userName);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
