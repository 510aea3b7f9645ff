using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fumidai.Gateway.Storage.Dialects;

/// <summary>The embedded SQLite file of a single node.</summary>
internal sealed class SqliteDialect : MetadataDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Name => "sqlite";

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public override Task MigrateAsync(CancellationToken cancellationToken) => SqliteSchema.MigrateAsync(this, cancellationToken);

    public override async Task<DbTransaction> BeginAuditAppendAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        // Not deferred (BEGIN IMMEDIATE): the write lock is taken up front, so two writers cannot link to the same previous event.
        return ((SqliteConnection)connection).BeginTransaction(deferred: false);
    }

    public override string CommandContains(int textLength) => textLength >= 3
        // The trigram tokenizer answers substring queries from the index when the text has 3+ characters.
        ? "c.rowid IN (SELECT rowid FROM session_commands_fts WHERE session_commands_fts MATCH @match)"
        : "c.command LIKE @like ESCAPE '\\'";

    // 19: SQLITE_CONSTRAINT, whatever the constraint.
    public override string CaseInsensitiveLike => "LIKE";

    public override bool IsConstraintViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
