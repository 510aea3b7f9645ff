using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Fumidai.Gateway.Storage;

/// <summary>The bastion's metadata (users, keys, targets, roles, lockouts, sessions, audit) in SQLite.</summary>
/// <remarks>
/// Every operation opens a pooled connection, so one store serves concurrent sessions. State that several nodes must
/// share (lockout, TOTP replay) is updated with single conditional statements, never read-modify-write in code.
/// </remarks>
public sealed partial class MetadataStore : ICredentialStore, IPolicyStore, ISessionStore, IAuditStore, ICommandIndex, IRevocationStore
{
    // 2: the command search index; 3: revocation requests, recording checks, failed logins counted per user and
    // source, session_commands.mark (added to a version 2 table by ALTER TABLE); 4: login certificates and machine
    // accounts (MetadataStore.LoginCertificates.cs). Every other statement of the schema can run again on a database it
    // already made, so an older database is migrated by running it again.
    private const int SchemaVersion = 4;
    private readonly string _connectionString;

    private MetadataStore(string connectionString) => _connectionString = connectionString;

    /// <summary>Opens (and creates or migrates) the database file.</summary>
    public static async Task<MetadataStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        var store = new MetadataStore(builder.ToString());
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Two statements, read separately: ExecuteScalar of both would return journal_mode's "wal", not the version.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "PRAGMA user_version;";
        long version = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
        if (version >= SchemaVersion) return;
        // The one column added to an existing table: CREATE TABLE IF NOT EXISTS leaves an older session_commands as it was.
        command.CommandText = """
            SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_commands')
                AND NOT EXISTS (SELECT 1 FROM pragma_table_info('session_commands') WHERE name = 'mark')
            """;
        bool addMark = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) == 1;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var create = connection.CreateCommand();
        create.Transaction = (SqliteTransaction)transaction;
        create.CommandText = (addMark ? "ALTER TABLE session_commands ADD COLUMN mark TEXT;" : "") + Schema + LoginCertificateSchema + $"PRAGMA user_version = {SchemaVersion};";
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS users (
            name TEXT PRIMARY KEY,
            roles TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            totp_secret BLOB,
            totp_last_step INTEGER NOT NULL DEFAULT 0,
            password_hash TEXT,
            created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS user_keys (
            user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            public_key TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (user_name, fingerprint));
        CREATE TABLE IF NOT EXISTS targets (
            name TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            logins TEXT NOT NULL,
            host_keys TEXT NOT NULL,
            private_key BLOB,
            created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS roles (
            name TEXT PRIMARY KEY,
            targets TEXT NOT NULL,
            logins TEXT NOT NULL,
            allow TEXT NOT NULL,
            idle_timeout_seconds INTEGER,
            max_session_seconds INTEGER);
        CREATE TABLE IF NOT EXISTS source_lockouts (
            user_name TEXT NOT NULL,
            source TEXT NOT NULL,
            failures INTEGER NOT NULL,
            locked_until TEXT,
            PRIMARY KEY (user_name, source));
        -- Version 2 counted per user only: its counts and locks carry over as holding from every source.
        CREATE TABLE IF NOT EXISTS lockouts (user_name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT);
        INSERT OR IGNORE INTO source_lockouts (user_name, source, failures, locked_until)
            SELECT user_name, '*', failures, locked_until FROM lockouts;
        DROP TABLE lockouts;
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            user_name TEXT NOT NULL,
            target TEXT NOT NULL,
            login TEXT NOT NULL,
            kind TEXT NOT NULL,
            command TEXT,
            source TEXT NOT NULL,
            started TEXT NOT NULL,
            ended TEXT,
            status TEXT NOT NULL,
            end_reason TEXT,
            bytes_in INTEGER NOT NULL DEFAULT 0,
            bytes_out INTEGER NOT NULL DEFAULT 0,
            recording TEXT);
        CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started);
        CREATE TABLE IF NOT EXISTS audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            type TEXT NOT NULL,
            user_name TEXT,
            outcome TEXT NOT NULL,
            source TEXT,
            target TEXT,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
        CREATE TABLE IF NOT EXISTS session_commands (
            session_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            offset_ms INTEGER NOT NULL,
            command TEXT NOT NULL,
            mark TEXT,
            PRIMARY KEY (session_id, seq));
        CREATE VIRTUAL TABLE IF NOT EXISTS session_commands_fts USING fts5(
            command, content='session_commands', content_rowid='rowid', tokenize='trigram');
        CREATE TRIGGER IF NOT EXISTS session_commands_ai AFTER INSERT ON session_commands BEGIN
            INSERT INTO session_commands_fts(rowid, command) VALUES (new.rowid, new.command);
        END;
        CREATE TRIGGER IF NOT EXISTS session_commands_ad AFTER DELETE ON session_commands BEGIN
            INSERT INTO session_commands_fts(session_commands_fts, rowid, command) VALUES ('delete', old.rowid, old.command);
        END;
        CREATE TABLE IF NOT EXISTS revocations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            scope TEXT NOT NULL,
            user_name TEXT,
            session_id TEXT,
            reason TEXT NOT NULL,
            actor TEXT);
        CREATE INDEX IF NOT EXISTS revocations_user ON revocations(user_name, time);
        CREATE TABLE IF NOT EXISTS recording_checks (
            session_id TEXT PRIMARY KEY,
            verified INTEGER NOT NULL,
            problem TEXT,
            checked TEXT NOT NULL);
        """;

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
