using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage.Dialects;

namespace Fumidai.Gateway.Storage;

/// <summary>The bastion's metadata (users, keys, targets, roles, lockouts, sessions, audit) in SQLite or PostgreSQL.</summary>
/// <remarks>
/// Every operation opens a pooled connection, so one store serves concurrent sessions. State that several nodes must
/// share (lockout, TOTP replay) is updated with single conditional statements, never read-modify-write in code.
/// </remarks>
public sealed partial class MetadataStore : ICredentialStore, IPolicyStore, ISessionStore, IAuditStore, ICommandIndex, IRevocationStore, IAsyncDisposable
{
    private readonly MetadataDialect _dialect;
    private readonly AuditAppendQueue _auditAppends;

    private MetadataStore(MetadataDialect dialect)
    {
        _dialect = dialect;
        _auditAppends = new AuditAppendQueue(AppendAuditBatchAsync);
    }

    /// <summary>The provider's name as configured: <c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider => _dialect.Name;

    /// <summary>Opens (and creates or migrates) the SQLite database file.</summary>
    public static Task<MetadataStore> OpenAsync(string path, CancellationToken cancellationToken = default) =>
        OpenAsync(new SqliteDialect(path), cancellationToken);

    /// <summary>Opens (and migrates) a PostgreSQL database, under an advisory lock so nodes starting together do not race.</summary>
    public static Task<MetadataStore> OpenPostgresAsync(string connectionString, CancellationToken cancellationToken = default) =>
        OpenAsync(new PostgresDialect(connectionString), cancellationToken);

    /// <summary>Opens the configured provider; <paramref name="sqlitePath"/> is the file used when it is SQLite.</summary>
    public static Task<MetadataStore> OpenAsync(MetadataOptions options, string sqlitePath, CancellationToken cancellationToken = default) =>
        options.IsPostgres
            ? OpenPostgresAsync(options.Postgres.ConnectionString ?? throw new InvalidOperationException("Metadata:Postgres:ConnectionString is not set"),
                cancellationToken)
            : OpenAsync(sqlitePath, cancellationToken);

    private static async Task<MetadataStore> OpenAsync(MetadataDialect dialect, CancellationToken cancellationToken)
    {
        try
        {
            await dialect.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new MetadataStore(dialect);
    }

    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _dialect.OpenConnectionAsync(cancellationToken);

    /// <summary>True when <paramref name="exception"/> is a violated constraint (a conflict with existing rows), whichever the provider.</summary>
    internal bool IsConstraintViolation(DbException exception) => _dialect.IsConstraintViolation(exception);

    /// <summary>Closes the provider's pooled connections.</summary>
    public ValueTask DisposeAsync() => _dialect.DisposeAsync();

    internal static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    internal static string Json(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());

    internal static string[] ParseJsonList(string value) => JsonSerializer.Deserialize<string[]>(value) ?? [];

    internal static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
