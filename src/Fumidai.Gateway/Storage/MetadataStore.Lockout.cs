namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>Counts one failure; locks the account for <paramref name="lockFor"/> once <paramref name="threshold"/> is reached.</summary>
    /// <returns>The consecutive failure count after this one, and whether the account is now locked.</returns>
    public async Task<(int Failures, bool Locked)> RecordFailureAsync(string userName, int threshold, TimeSpan lockFor, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // One statement: concurrent failures on several nodes all count.
        command.CommandText = """
            INSERT INTO lockouts (user_name, failures, locked_until) VALUES ($user, 1, CASE WHEN 1 >= $threshold THEN $until END)
            ON CONFLICT(user_name) DO UPDATE SET
                failures = lockouts.failures + 1,
                locked_until = CASE WHEN lockouts.failures + 1 >= $threshold THEN $until ELSE lockouts.locked_until END
            RETURNING failures, locked_until
            """;
        Add(command, "$user", userName);
        Add(command, "$threshold", threshold);
        Add(command, "$until", Time(now + lockFor));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        int failures = reader.GetInt32(0);
        bool locked = !reader.IsDBNull(1) && ParseTime(reader.GetString(1)) > now;
        return (failures, locked);
    }

    /// <summary>The time until which the account is locked, or null when it is not locked at <paramref name="now"/>.</summary>
    public async Task<DateTimeOffset?> GetLockedUntilAsync(string userName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT locked_until FROM lockouts WHERE user_name = $user";
        Add(command, "$user", userName);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (value is not string text) return null;
        var until = ParseTime(text);
        return until > now ? until : null;
    }

    /// <summary>Clears the failure count and any lock (successful login, or <c>user unlock</c>).</summary>
    public async Task<bool> ClearFailuresAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM lockouts WHERE user_name = $user";
        Add(command, "$user", userName);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
