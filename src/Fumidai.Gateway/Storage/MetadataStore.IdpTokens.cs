namespace Fumidai.Gateway.Storage;

/// <summary>The refresh token an IdP user got at her last sign-in: the IdP's subject it belongs to, and the token sealed by the master key.</summary>
public sealed record IdpTokenRecord(string UserName, string Subject, byte[] SealedToken, DateTimeOffset Updated);

/// <remarks>
/// Schema step 10. The token changes only by a statement that names the token it replaces, so of two syncs that refreshed
/// the same token (an IdP that rotates them) the later one cannot overwrite the newer token with an older one.
/// </remarks>
public sealed partial class MetadataStore
{
    /// <summary>Keeps the token of her newest sign-in, whatever was stored before.</summary>
    public async Task SetIdpTokenAsync(IdpTokenRecord token, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO idp_tokens (user_name, subject, token, updated) VALUES (@user, @subject, @token, @updated)
            ON CONFLICT(user_name) DO UPDATE SET subject = excluded.subject, token = excluded.token, updated = excluded.updated
            """;
        Add(command, "@user", token.UserName);
        Add(command, "@subject", token.Subject);
        Add(command, "@token", token.SealedToken);
        Add(command, "@updated", Time(token.Updated));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the token only while it is still <paramref name="previous"/>; false when another sign-in or sync changed it first.</summary>
    public async Task<bool> ReplaceIdpTokenAsync(string user, byte[] previous, byte[] next, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE idp_tokens SET token = @next, updated = @now WHERE user_name = @user AND token = @previous";
        Add(command, "@next", next);
        Add(command, "@now", Time(now));
        Add(command, "@user", user);
        Add(command, "@previous", previous);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IdpTokenRecord?> GetIdpTokenAsync(string user, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, subject, token, updated FROM idp_tokens WHERE user_name = @user";
        Add(command, "@user", user);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadIdpToken(reader) : null;
    }

    /// <summary>Every stored token, by user name.</summary>
    public async Task<IReadOnlyList<IdpTokenRecord>> ListIdpTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, subject, token, updated FROM idp_tokens ORDER BY user_name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tokens = new List<IdpTokenRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) tokens.Add(ReadIdpToken(reader));
        return tokens;
    }

    /// <summary>Forgets her token (she left: nothing is left to ask the IdP about).</summary>
    public async Task<bool> DeleteIdpTokenAsync(string user, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM idp_tokens WHERE user_name = @user";
        Add(command, "@user", user);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static IdpTokenRecord ReadIdpToken(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), ParseTime(reader.GetString(3)));
}
