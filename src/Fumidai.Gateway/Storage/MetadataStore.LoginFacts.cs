using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore : ILoginFactsStore
{
    /// <summary>One command of five statements, so one round trip (and on PostgreSQL one implicit transaction) per login step.</summary>
    public async Task<LoginFacts> GetLoginFactsAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // The same statements as the separate reads, in this order.
        command.CommandText = $"""
            SELECT {UserColumns} FROM users WHERE name = @user;
            SELECT user_name, fingerprint, public_key, comment FROM user_keys WHERE user_name = @user ORDER BY fingerprint;
            SELECT MAX(locked_until) FROM source_lockouts WHERE user_name = @user AND source IN (@source, '*');
            SELECT MAX(time) FROM revocations WHERE user_name = @user AND scope = 'user';
            SELECT allowed_from FROM machine_accounts WHERE user_name = @user
            """;
        Add(command, "@user", userName);
        Add(command, "@source", source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

    private static async Task<DateTimeOffset?> ScalarTimeAsync(System.Data.Common.DbDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? ParseTime(reader.GetString(0)) : null;
}
