using System.Data.Common;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    public async Task<bool> AddTargetAsync(TargetRecord target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO targets (name, host, port, logins, host_keys, private_key, created)
            VALUES (@name, @host, @port, @logins, @keys, @private, @created) ON CONFLICT(name) DO NOTHING
            """;
        Add(command, "@name", target.Name);
        Add(command, "@host", target.Host);
        Add(command, "@port", target.Port);
        Add(command, "@logins", Json(target.Logins));
        Add(command, "@keys", Json(target.HostKeys));
        Add(command, "@private", target.EncryptedPrivateKey);
        Add(command, "@created", Time(target.Created));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<TargetRecord?> GetTargetAsync(string name, CancellationToken cancellationToken = default)
    {
        var all = await QueryTargetsAsync("WHERE name = @name", name, cancellationToken).ConfigureAwait(false);
        return all.Count == 1 ? all[0] : null;
    }

    public Task<IReadOnlyList<TargetRecord>> ListTargetsAsync(CancellationToken cancellationToken = default) =>
        QueryTargetsAsync("", null, cancellationToken);

    private async Task<IReadOnlyList<TargetRecord>> QueryTargetsAsync(string where, string? name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TargetQuery(where);
        if (name is not null) Add(command, "@name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var targets = new List<TargetRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) targets.Add(ReadTarget(reader));
        return targets;
    }

    private static string TargetQuery(string where) =>
        $"SELECT name, host, port, logins, host_keys, private_key, created FROM targets {where} ORDER BY name";

    private static TargetRecord ReadTarget(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), ParseJsonList(reader.GetString(3)),
            ParseJsonList(reader.GetString(4)), reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5), ParseTime(reader.GetString(6)));

    public Task<bool> RemoveTargetAsync(string name, CancellationToken cancellationToken = default) =>
        DeleteByNameAsync("targets", name, cancellationToken);

    public async Task<bool> AddRoleAsync(AccessRole role, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO roles (name, targets, logins, allow, idle_timeout_seconds, max_session_seconds)
            VALUES (@name, @targets, @logins, @allow, @idle, @max) ON CONFLICT(name) DO NOTHING
            """;
        AddRoleParameters(command, role);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Replaces a role's grants and limits; false when it does not exist.</summary>
    public async Task<bool> UpdateRoleAsync(AccessRole role, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE roles SET targets = @targets, logins = @logins, allow = @allow, idle_timeout_seconds = @idle, max_session_seconds = @max
            WHERE name = @name
            """;
        AddRoleParameters(command, role);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void AddRoleParameters(DbCommand command, AccessRole role)
    {
        Add(command, "@name", role.Name);
        Add(command, "@targets", Json(role.TargetPatterns));
        Add(command, "@logins", Json(role.Logins));
        Add(command, "@allow", Json(role.Allow));
        Add(command, "@idle", role.IdleTimeout is { } idle ? (long)idle.TotalSeconds : null);
        Add(command, "@max", role.MaxSession is { } max ? (long)max.TotalSeconds : null);
    }

    public async Task<IReadOnlyList<AccessRole>> ListRolesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = RoleQuery;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var roles = new List<AccessRole>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) roles.Add(ReadRole(reader));
        return roles;
    }

    private const string RoleQuery = "SELECT name, targets, logins, allow, idle_timeout_seconds, max_session_seconds FROM roles ORDER BY name";

    private static AccessRole ReadRole(DbDataReader reader) => new(
        reader.GetString(0), ParseJsonList(reader.GetString(1)), ParseJsonList(reader.GetString(2)), ParseJsonList(reader.GetString(3)),
        reader.IsDBNull(4) ? null : TimeSpan.FromSeconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : TimeSpan.FromSeconds(reader.GetInt64(5)));

    public Task<bool> RemoveRoleAsync(string name, CancellationToken cancellationToken = default) =>
        DeleteByNameAsync("roles", name, cancellationToken);

    private async Task<bool> DeleteByNameAsync(string table, string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {table} WHERE name = @name";
        Add(command, "@name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
