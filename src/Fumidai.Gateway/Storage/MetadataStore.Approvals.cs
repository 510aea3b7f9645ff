using System.Data.Common;
using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <remarks>
/// Schema step 9. Each change of an approval is one conditional statement, so of two consoles deciding at once, or a
/// decision racing the connection's use of it, exactly one wins.
/// </remarks>
public sealed partial class MetadataStore : ILoginApprovalStore
{
    public async Task AddLoginApprovalAsync(LoginApprovalRecord approval, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO login_approvals (code_hash, connection_hash, user_name, source, target, login, node, created, expires, status)
            VALUES (@code, @connection, @user, @source, @target, @login, @node, @created, @expires, @status)
            """;
        Add(command, "@code", approval.CodeHash);
        Add(command, "@connection", approval.ConnectionHash);
        Add(command, "@user", approval.UserName);
        Add(command, "@source", approval.Source);
        Add(command, "@target", approval.Target);
        Add(command, "@login", approval.Login);
        Add(command, "@node", approval.Node);
        Add(command, "@created", Time(approval.Created));
        Add(command, "@expires", Time(approval.Expires));
        Add(command, "@status", approval.Status);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<LoginApprovalRecord?> GetLoginApprovalAsync(byte[] codeHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT code_hash, connection_hash, user_name, source, target, login, node, created, expires, status, decided_by, decided
            FROM login_approvals WHERE code_hash = @code
            """;
        Add(command, "@code", codeHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadLoginApproval(reader) : null;
    }

    private static LoginApprovalRecord ReadLoginApproval(DbDataReader reader) => new(
        (byte[])reader.GetValue(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6),
        ParseTime(reader.GetString(7)), ParseTime(reader.GetString(8)), reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : ParseTime(reader.GetString(11)));

    public async Task<bool> DecideLoginApprovalAsync(byte[] codeHash, string user, bool approve, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE login_approvals SET status = @status, decided_by = @user, decided = @now
            WHERE code_hash = @code AND user_name = @user AND status = @pending AND expires > @now
            """;
        Add(command, "@status", approve ? LoginApprovalStatus.Approved : LoginApprovalStatus.Denied);
        Add(command, "@user", user);
        Add(command, "@now", Time(now));
        Add(command, "@code", codeHash);
        Add(command, "@pending", LoginApprovalStatus.Pending);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> UseLoginApprovalAsync(byte[] codeHash, byte[] connectionHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE login_approvals SET status = @used
            WHERE code_hash = @code AND connection_hash = @connection AND status = @approved AND expires > @now
            """;
        Add(command, "@used", LoginApprovalStatus.Used);
        Add(command, "@code", codeHash);
        Add(command, "@connection", connectionHash);
        Add(command, "@approved", LoginApprovalStatus.Approved);
        Add(command, "@now", Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> DeleteLoginApprovalsAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM login_approvals WHERE expires < @before";
        Add(command, "@before", Time(before));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRoleAuthAsync(string role, string method, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO role_auth (role, method) VALUES (@role, @method) ON CONFLICT(role) DO UPDATE SET method = excluded.method";
        Add(command, "@role", role);
        Add(command, "@method", method);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, string>> ListRoleAuthAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT role, method FROM role_auth ORDER BY role";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) result[reader.GetString(0)] = reader.GetString(1);
        return result;
    }
}
