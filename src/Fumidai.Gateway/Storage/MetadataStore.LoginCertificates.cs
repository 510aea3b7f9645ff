using System.Data.Common;
using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore : ILoginCertificateStore
{
    // Schema version 4: login certificates, each role's certificate setting, machine accounts. New tables only, so an
    // older database gains them by running the schema again.
    public async Task<long> AddLoginCertificateAsync(string userName, string keyFingerprint, DateTimeOffset issued, DateTimeOffset validBefore,
        string? source, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO login_certificates (user_name, key_fingerprint, issued, valid_before, source)
            VALUES (@user, @fingerprint, @issued, @before, @source) RETURNING serial
            """;
        Add(command, "@user", userName);
        Add(command, "@fingerprint", keyFingerprint);
        Add(command, "@issued", Time(issued));
        Add(command, "@before", Time(validBefore));
        Add(command, "@source", source);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    public async Task<LoginCertificateRecord?> GetLoginCertificateAsync(long serial, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT serial, user_name, key_fingerprint, issued, valid_before, source, revoked FROM login_certificates WHERE serial = @serial
            """;
        Add(command, "@serial", serial);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadLoginCertificate(reader) : null;
    }

    private static LoginCertificateRecord ReadLoginCertificate(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), ParseTime(reader.GetString(3)), ParseTime(reader.GetString(4)),
        reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : ParseTime(reader.GetString(6)));

    public async Task<int> RevokeLoginCertificatesAsync(string userName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE login_certificates SET revoked = @now WHERE user_name = @user AND revoked IS NULL";
        Add(command, "@user", userName);
        Add(command, "@now", Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRoleLoginCertificatesAsync(RoleLoginCertificates settings, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO role_login_certificates (role, lifetime_seconds, source_bound) VALUES (@role, @lifetime, @bound)
            ON CONFLICT(role) DO UPDATE SET lifetime_seconds = excluded.lifetime_seconds, source_bound = excluded.source_bound
            """;
        Add(command, "@role", settings.Role);
        Add(command, "@lifetime", (long)settings.Lifetime.TotalSeconds);
        Add(command, "@bound", settings.SourceBound ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RoleLoginCertificates>> ListRoleLoginCertificatesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT role, lifetime_seconds, source_bound FROM role_login_certificates ORDER BY role";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<RoleLoginCertificates>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            result.Add(new RoleLoginCertificates(reader.GetString(0), TimeSpan.FromSeconds(reader.GetInt64(1)), reader.GetInt64(2) != 0));
        return result;
    }
}
