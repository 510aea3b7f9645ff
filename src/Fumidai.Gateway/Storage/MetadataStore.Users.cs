using System.Data.Common;
using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    public async Task<bool> AddUserAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (name, roles, disabled, totp_secret, password_hash, created)
            VALUES (@name, @roles, @disabled, @totp, @password, @created) ON CONFLICT(name) DO NOTHING
            """;
        Add(command, "@name", user.Name);
        Add(command, "@roles", Json(user.Roles));
        Add(command, "@disabled", user.Disabled ? 1 : 0);
        Add(command, "@totp", user.EncryptedTotpSecret);
        Add(command, "@password", user.PasswordHash);
        Add(command, "@created", Time(user.Created));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {UserColumns} FROM users WHERE name = @name";
        Add(command, "@name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadUser(reader) : null;
    }

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {UserColumns} FROM users ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<UserRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) users.Add(ReadUser(reader));
        return users;
    }

    /// <summary>The columns <see cref="ReadUser"/> reads, in its order.</summary>
    private const string UserColumns = "name, roles, disabled, totp_secret, password_hash, created";

    private static UserRecord ReadUser(DbDataReader reader) => new(
        reader.GetString(0),
        ParseJsonList(reader.GetString(1)),
        reader.GetInt64(2) != 0,
        reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        ParseTime(reader.GetString(5)));

    public Task<bool> SetUserRolesAsync(string name, IReadOnlyList<string> roles, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(name, "roles = @value", Json(roles), cancellationToken);

    public Task<bool> SetUserDisabledAsync(string name, bool disabled, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(name, "disabled = @value", disabled ? 1 : 0, cancellationToken);

    public Task<bool> SetPasswordHashAsync(string name, string? hash, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(name, "password_hash = @value", hash, cancellationToken);

    /// <summary>Replaces the TOTP secret and forgets the last used step, so only codes of the new secret work.</summary>
    public Task<bool> SetTotpSecretAsync(string name, byte[] encryptedSecret, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(name, "totp_secret = @value, totp_last_step = 0", encryptedSecret, cancellationToken);

    private async Task<bool> UpdateUserAsync(string name, string assignment, object? value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE users SET {assignment} WHERE name = @name";
        Add(command, "@name", name);
        Add(command, "@value", value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Records a TOTP step as used; false when it (or a later one) was used already — a replay.</summary>
    /// <remarks>One conditional UPDATE, so two nodes accepting the same code at once cannot both succeed.</remarks>
    public async Task<bool> TryUseTotpStepAsync(string name, long step, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET totp_last_step = @step WHERE name = @name AND totp_last_step < @step";
        Add(command, "@name", name);
        Add(command, "@step", step);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken = default) =>
        DeleteByNameAsync("users", name, cancellationToken);

    public async Task<bool> AddUserKeyAsync(UserKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO user_keys (user_name, fingerprint, public_key, comment) VALUES (@user, @fp, @key, @comment)
            ON CONFLICT(user_name, fingerprint) DO NOTHING
            """;
        Add(command, "@user", key.UserName);
        Add(command, "@fp", key.Fingerprint);
        Add(command, "@key", key.PublicKey);
        Add(command, "@comment", key.Comment);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (DbException ex) when (IsConstraintViolation(ex))
        {
            // Foreign key: the user does not exist.
            return false;
        }
    }

    public async Task<bool> RemoveUserKeyAsync(string userName, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM user_keys WHERE user_name = @user AND fingerprint = @fp";
        Add(command, "@user", userName);
        Add(command, "@fp", fingerprint);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<UserKeyRecord>> ListUserKeysAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, fingerprint, public_key, comment FROM user_keys WHERE user_name = @user ORDER BY fingerprint";
        Add(command, "@user", userName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<UserKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            keys.Add(new UserKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return keys;
    }
}
