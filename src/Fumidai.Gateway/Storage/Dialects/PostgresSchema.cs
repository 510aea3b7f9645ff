using Npgsql;

namespace Fumidai.Gateway.Storage.Dialects;

/// <summary>The PostgreSQL schema and its versions (table <c>fumidai_schema</c>), numbered like SQLite's so a change lands as the same step in both.</summary>
/// <remarks>
/// Times are fixed-width UTC text, as in SQLite, compared as text: their columns use the "C" collation so the order is the
/// byte order whatever the database's locale. Sequences are identity columns, flags 0/1 integers, blobs bytea.
/// </remarks>
internal static class PostgresSchema
{
    private static readonly (int Version, string Sql)[] Steps =
    [
        (3, """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                roles TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                totp_secret BYTEA,
                totp_last_step BIGINT NOT NULL DEFAULT 0,
                password_hash TEXT,
                created TEXT COLLATE "C" NOT NULL);
            CREATE TABLE user_keys (
                user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                fingerprint TEXT NOT NULL,
                public_key TEXT NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (user_name, fingerprint));
            CREATE TABLE targets (
                name TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                port INTEGER NOT NULL,
                logins TEXT NOT NULL,
                host_keys TEXT NOT NULL,
                private_key BYTEA,
                created TEXT COLLATE "C" NOT NULL);
            CREATE TABLE roles (
                name TEXT PRIMARY KEY,
                targets TEXT NOT NULL,
                logins TEXT NOT NULL,
                allow TEXT NOT NULL,
                idle_timeout_seconds BIGINT,
                max_session_seconds BIGINT);
            CREATE TABLE source_lockouts (
                user_name TEXT NOT NULL,
                source TEXT NOT NULL,
                failures INTEGER NOT NULL,
                locked_until TEXT COLLATE "C",
                PRIMARY KEY (user_name, source));
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_name TEXT NOT NULL,
                target TEXT NOT NULL,
                login TEXT NOT NULL,
                kind TEXT NOT NULL,
                command TEXT,
                source TEXT NOT NULL,
                started TEXT COLLATE "C" NOT NULL,
                ended TEXT COLLATE "C",
                status TEXT NOT NULL,
                end_reason TEXT,
                bytes_in BIGINT NOT NULL DEFAULT 0,
                bytes_out BIGINT NOT NULL DEFAULT 0,
                recording TEXT);
            CREATE INDEX sessions_started ON sessions(started);
            CREATE TABLE audit (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time TEXT COLLATE "C" NOT NULL,
                type TEXT NOT NULL,
                user_name TEXT,
                outcome TEXT NOT NULL,
                source TEXT,
                target TEXT,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL);
            CREATE INDEX audit_time ON audit(time);
            CREATE TABLE session_commands (
                session_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                offset_ms BIGINT NOT NULL,
                command TEXT NOT NULL,
                mark TEXT,
                PRIMARY KEY (session_id, seq));
            CREATE TABLE revocations (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time TEXT COLLATE "C" NOT NULL,
                scope TEXT NOT NULL,
                user_name TEXT,
                session_id TEXT,
                reason TEXT NOT NULL,
                actor TEXT);
            CREATE INDEX revocations_user ON revocations(user_name, time);
            CREATE TABLE recording_checks (
                session_id TEXT PRIMARY KEY,
                verified INTEGER NOT NULL,
                problem TEXT,
                checked TEXT COLLATE "C" NOT NULL);
            """),
        (4, """
            ALTER TABLE sessions ADD COLUMN node TEXT;
            CREATE TABLE nodes (name TEXT PRIMARY KEY, started TEXT COLLATE "C" NOT NULL, heartbeat TEXT COLLATE "C" NOT NULL);
            CREATE INDEX sessions_status_node ON sessions(status, node);
            """),
        (5, """
            CREATE TABLE login_certificates (
                serial BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_name TEXT NOT NULL,
                key_fingerprint TEXT NOT NULL,
                issued TEXT COLLATE "C" NOT NULL,
                valid_before TEXT COLLATE "C" NOT NULL,
                source TEXT,
                revoked TEXT COLLATE "C");
            CREATE INDEX login_certificates_user ON login_certificates(user_name);
            CREATE TABLE role_login_certificates (
                role TEXT PRIMARY KEY REFERENCES roles(name) ON DELETE CASCADE,
                lifetime_seconds BIGINT NOT NULL,
                source_bound BIGINT NOT NULL);
            CREATE TABLE machine_accounts (
                user_name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
                allowed_from TEXT NOT NULL);
            """),
        (6, """
            CREATE TABLE cluster_keys (
                name TEXT PRIMARY KEY,
                public_key TEXT NOT NULL,
                private_key BYTEA NOT NULL,
                created TEXT COLLATE "C" NOT NULL);
            """),
        (7, """
            CREATE TABLE cluster_leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires TEXT COLLATE "C" NOT NULL,
                position BIGINT NOT NULL DEFAULT 0);
            """),
        (8, """
            CREATE TABLE agent_targets (
                target TEXT PRIMARY KEY REFERENCES targets(name) ON DELETE CASCADE,
                token_hash BYTEA,
                token_expires TEXT COLLATE "C",
                accept_first BIGINT NOT NULL DEFAULT 0,
                agent_key TEXT,
                joined TEXT COLLATE "C",
                pending_host_keys TEXT,
                revoked TEXT COLLATE "C");
            CREATE TABLE agent_connections (
                target TEXT NOT NULL REFERENCES targets(name) ON DELETE CASCADE,
                node TEXT NOT NULL,
                since TEXT COLLATE "C" NOT NULL,
                last_seen TEXT COLLATE "C" NOT NULL,
                version TEXT NOT NULL,
                PRIMARY KEY (target, node));
            """),
        (9, """
            CREATE TABLE login_approvals (
                code_hash BYTEA PRIMARY KEY,
                connection_hash BYTEA NOT NULL,
                user_name TEXT NOT NULL,
                source TEXT NOT NULL,
                target TEXT,
                login TEXT,
                node TEXT NOT NULL,
                created TEXT COLLATE "C" NOT NULL,
                expires TEXT COLLATE "C" NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided TEXT COLLATE "C");
            CREATE INDEX login_approvals_expires ON login_approvals(expires);
            CREATE TABLE role_auth (
                role TEXT PRIMARY KEY,
                method TEXT NOT NULL);
            """),
        (10, """
            CREATE TABLE idp_tokens (
                user_name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
                subject TEXT NOT NULL,
                token BYTEA NOT NULL,
                updated TEXT COLLATE "C" NOT NULL);
            """),
        (11, """
            ALTER TABLE nodes ADD COLUMN IF NOT EXISTS internal_address TEXT;
            """),
    ];

    public static async Task MigrateAsync(PostgresDialect dialect, CancellationToken cancellationToken)
    {
        await using var connection = (NpgsqlConnection)await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A session lock, not a transaction lock: the check of the version and every step run under it, so of two nodes starting
        // at once one migrates and the other waits, then finds nothing left to do.
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgresDialect.MigrationLock})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS fumidai_schema (version INTEGER NOT NULL)", cancellationToken)
                .ConfigureAwait(false);
            await using var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM fumidai_schema", connection);
            int version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (stepVersion, sql) in Steps)
            {
                if (stepVersion <= version) continue;
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"INSERT INTO fumidai_schema (version) VALUES ({stepVersion})", cancellationToken)
                    .ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresDialect.MigrationLock})", CancellationToken.None)
                .ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
