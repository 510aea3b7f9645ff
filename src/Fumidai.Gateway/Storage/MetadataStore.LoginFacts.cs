using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore : ILoginFactsStore
{
    /// <summary>One command of five statements, so one round trip (and on PostgreSQL one implicit transaction) per login step.</summary>
    public async Task<LoginFacts> GetLoginFactsAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = LoginFactsStatements;
        Add(command, "@user", userName);
        Add(command, "@source", source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadLoginFactsAsync(reader, now, cancellationToken).ConfigureAwait(false);
    }

    // The same statements as the separate reads, in this order; parameters @user and @source.
    private const string LoginFactsStatements = $"""
        SELECT {UserColumns} FROM users WHERE name = @user;
        SELECT user_name, fingerprint, public_key, comment FROM user_keys WHERE user_name = @user ORDER BY fingerprint;
        SELECT MAX(locked_until) FROM source_lockouts WHERE user_name = @user AND source IN (@source, '*');
        SELECT MAX(time) FROM revocations WHERE user_name = @user AND scope = 'user';
        SELECT allowed_from FROM machine_accounts WHERE user_name = @user
        """;

    /// <summary>Reads the five results of <see cref="LoginFactsStatements"/>, leaving the reader on the last.</summary>
    private static async Task<LoginFacts> ReadLoginFactsAsync(System.Data.Common.DbDataReader reader, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var user = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadUser(reader) : null;
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<UserKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            keys.Add(new UserKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset? locked = await ScalarTimeAsync(reader, cancellationToken).ConfigureAwait(false) is { } until && until > now ? until : null;
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var revoked = await ScalarTimeAsync(reader, cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        string? machine = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetString(0) : null;
        return new LoginFacts(user, keys, locked, revoked, machine);
    }

    /// <summary>
    /// One command: the conditional UPDATE of the step first, then the reads. On PostgreSQL the command is one implicit
    /// transaction, committed once its results are read to the end, which happens before this returns; on SQLite each
    /// statement commits on its own, as the separate calls did.
    /// </summary>
    /// <remarks>
    /// The failure row is read so that a success clears it only when there is one: a failure recorded by another connection
    /// after this read is then left counting, never cleared unseen.
    /// </remarks>
    public async Task<TotpStepUse> UseTotpStepAsync(string userName, long step, string source, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE users SET totp_last_step = @step WHERE name = @user AND totp_last_step < @step RETURNING totp_last_step;
            SELECT {UserColumns} FROM users WHERE name = @user;
            SELECT MAX(locked_until) FROM source_lockouts WHERE user_name = @user AND source IN (@source, '*');
            SELECT COUNT(*) FROM source_lockouts WHERE user_name = @user AND source = @source
            """;
        Add(command, "@user", userName);
        Add(command, "@source", source);
        Add(command, "@step", step);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        bool used = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var user = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadUser(reader) : null;
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset? locked = await ScalarTimeAsync(reader, cancellationToken).ConfigureAwait(false) is { } until && until > now ? until : null;
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        bool failures = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            && Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) > 0;
        // The reader is disposed before the caller resumes: Npgsql reads on to the server's ReadyForQuery, which follows the
        // implicit transaction's commit, so the step is durable before a success is answered.
        return used ? new TotpStepUse(true, user, locked, failures) : new TotpStepUse(false, null, null, true);
    }

    private static async Task<DateTimeOffset?> ScalarTimeAsync(System.Data.Common.DbDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? ParseTime(reader.GetString(0)) : null;
}
