using System.Data.Common;

namespace Fumidai.Gateway.Storage;

// The machine_accounts table is created with the login certificate tables (schema step 5).
public sealed partial class MetadataStore : IMachineAccountStore
{
    public async Task<bool> AddMachineAccountAsync(string userName, string allowedFrom, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO machine_accounts (user_name, allowed_from) VALUES (@user, @from) ON CONFLICT(user_name) DO NOTHING";
        Add(command, "@user", userName);
        Add(command, "@from", allowedFrom);
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

    public async Task<string?> GetMachineAccountAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT allowed_from FROM machine_accounts WHERE user_name = @user";
        Add(command, "@user", userName);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListMachineAccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, allowed_from FROM machine_accounts";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) result[reader.GetString(0)] = reader.GetString(1);
        return result;
    }
}
