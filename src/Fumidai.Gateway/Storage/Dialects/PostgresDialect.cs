using System.Data.Common;
using Npgsql;

namespace Fumidai.Gateway.Storage.Dialects;

/// <summary>A PostgreSQL database shared by several bastion nodes.</summary>
internal sealed class PostgresDialect : MetadataDialect
{
    // Keys of pg_advisory_lock / pg_advisory_xact_lock: arbitrary constants that name what they guard.
    internal const long MigrationLock = 0x66756D6964616901;
    private const long AuditChainLock = 0x66756D6964616902;

    private readonly NpgsqlDataSource _dataSource;

    // No reset on close: every operation returns its connection at once, and the DISCARD ALL that Npgsql would send before
    // the next use was a statement and a transaction of its own each time (half of all on a login storm). Nothing here
    // leaves session state behind: locks are transaction-scoped, except migration's, which is released in a finally.
    public PostgresDialect(string connectionString) =>
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true });

    public override string Name => "postgres";

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override Task MigrateAsync(CancellationToken cancellationToken) => PostgresSchema.MigrateAsync(this, cancellationToken);

    public override async Task<DbTransaction> BeginAuditAppendAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    // Held until the transaction ends: writers on every node take turns, so the chain never forks. A statement of its own,
    // before the read: under READ COMMITTED the read's snapshot is then taken after the lock, never before it.
    public override string AuditChainLockStatement => $"SELECT pg_advisory_xact_lock({AuditChainLock});";

    // No trigram index here (pg_trgm is an extension an operator may not be allowed to create): a scan, fine for an audit search.
    public override string CommandContains(int textLength) => "c.command ILIKE @like ESCAPE '\\'";

    // Class 23: integrity constraint violation (unique 23505, foreign key 23503, check 23514, ...).
    public override string CaseInsensitiveLike => "ILIKE";

    public override bool IsConstraintViolation(DbException exception) =>
        exception is PostgresException { SqlState: [ '2', '3', _, _, _ ] };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
