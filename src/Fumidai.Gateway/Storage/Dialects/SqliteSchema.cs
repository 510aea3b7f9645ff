using Microsoft.Data.Sqlite;

namespace Fumidai.Gateway.Storage.Dialects;

/// <summary>The SQLite schema and its versions (<c>PRAGMA user_version</c>).</summary>
internal static class SqliteSchema
{
    // 2: the command search index; 3: revocation requests, recording checks, failed logins counted per user and
    // source, session_commands.mark (added to a version 2 table by ALTER TABLE). Every statement of Base can run again
    // on a database it already made, so a database older than 3 is migrated by running it again; later versions are steps.
    private const int BaseVersion = 3;

    /// <summary>Changes after <see cref="BaseVersion"/>, in order; each runs once, in the transaction that records its version.</summary>
    /// <remarks>SQLite has no ADD COLUMN IF NOT EXISTS: columns are listed apart and added only when missing, and tables and
    /// indexes are made IF NOT EXISTS, so a step also completes a database that has part of it.</remarks>
    private static readonly (int Version, (string Table, string Column, string Type)[] AddColumns, string Sql)[] Steps =
    [
        // 4: node identity: the node a session runs on, and each node's heartbeat.
        (4, [("sessions", "node", "TEXT")], """
            CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY, started TEXT NOT NULL, heartbeat TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS sessions_status_node ON sessions(status, node);
            """),
        // 5: login certificates issued after MFA (their serials and revocation), each role's certificate settings, and
        // machine accounts with the addresses they may log in from.
        (5, [], """
            CREATE TABLE IF NOT EXISTS login_certificates (
                serial INTEGER PRIMARY KEY AUTOINCREMENT,
                user_name TEXT NOT NULL,
                key_fingerprint TEXT NOT NULL,
                issued TEXT NOT NULL,
                valid_before TEXT NOT NULL,
                source TEXT,
                revoked TEXT);
            CREATE INDEX IF NOT EXISTS login_certificates_user ON login_certificates(user_name);
            CREATE TABLE IF NOT EXISTS role_login_certificates (
                role TEXT PRIMARY KEY REFERENCES roles(name) ON DELETE CASCADE,
                lifetime_seconds INTEGER NOT NULL,
                source_bound INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS machine_accounts (
                user_name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
                allowed_from TEXT NOT NULL);
            """),
        // 6: the keys every node of a cluster shares (host keys, CAs, audit key), encrypted with the master key; a single
        // SQLite node keeps them as files and leaves this table empty.
        (6, [], """
            CREATE TABLE IF NOT EXISTS cluster_keys (
                name TEXT PRIMARY KEY,
                public_key TEXT NOT NULL,
                private_key BLOB NOT NULL,
                created TEXT NOT NULL);
            """),
        // 7: work one node of a cluster does for all (shipping the audit log), held for a while and renewed, with how far it got.
        (7, [], """
            CREATE TABLE IF NOT EXISTS cluster_leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0);
            """),
        // 8: targets reached through an agent that dials out: its one-time join token (hashed), its key, the host keys it
        // reported, and which nodes it is connected to.
        (8, [], """
            CREATE TABLE IF NOT EXISTS agent_targets (
                target TEXT PRIMARY KEY REFERENCES targets(name) ON DELETE CASCADE,
                token_hash BLOB,
                token_expires TEXT,
                accept_first INTEGER NOT NULL DEFAULT 0,
                agent_key TEXT,
                joined TEXT,
                pending_host_keys TEXT,
                revoked TEXT);
            CREATE TABLE IF NOT EXISTS agent_connections (
                target TEXT NOT NULL REFERENCES targets(name) ON DELETE CASCADE,
                node TEXT NOT NULL,
                since TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                version TEXT NOT NULL,
                PRIMARY KEY (target, node));
            """),
        // 9: SSH logins waiting for approval in the browser (the code only hashed, bound to one connection), and which roles
        // take that approval instead of a TOTP code.
        (9, [], """
            CREATE TABLE IF NOT EXISTS login_approvals (
                code_hash BLOB PRIMARY KEY,
                connection_hash BLOB NOT NULL,
                user_name TEXT NOT NULL,
                source TEXT NOT NULL,
                target TEXT,
                login TEXT,
                node TEXT NOT NULL,
                created TEXT NOT NULL,
                expires TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided TEXT);
            CREATE INDEX IF NOT EXISTS login_approvals_expires ON login_approvals(expires);
            CREATE TABLE IF NOT EXISTS role_auth (
                role TEXT PRIMARY KEY,
                method TEXT NOT NULL);
            """),
        // 10: the refresh token each IdP user got at her last sign-in (sealed with the master key), so leavers are found
        // without her being present.
        (10, [], """
            CREATE TABLE IF NOT EXISTS idp_tokens (
                user_name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
                subject TEXT NOT NULL,
                token BLOB NOT NULL,
                updated TEXT NOT NULL);
            """),
        // 11: the address a node's cluster listener is reached on, for other nodes' consoles.
        (11, [("nodes", "internal_address", "TEXT")], ""),
    ];

    public static async Task MigrateAsync(SqliteDialect dialect, CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Two statements, read separately: ExecuteScalar of both would return journal_mode's "wal", not the version.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "PRAGMA user_version;";
        long version = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
        if (version < BaseVersion)
        {
            // The one column added to an existing table: CREATE TABLE IF NOT EXISTS leaves an older session_commands as it was.
            command.CommandText = """
                SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_commands')
                    AND NOT EXISTS (SELECT 1 FROM pragma_table_info('session_commands') WHERE name = 'mark')
                """;
            bool addMark = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) == 1;
            await RunAsync(connection, (addMark ? "ALTER TABLE session_commands ADD COLUMN mark TEXT;" : "") + Base, BaseVersion, cancellationToken)
                .ConfigureAwait(false);
            version = BaseVersion;
        }
        foreach (var (stepVersion, columns, sql) in Steps)
        {
            if (stepVersion <= version) continue;
            var alter = new System.Text.StringBuilder();
            foreach (var (table, column, type) in columns)
            {
                command.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
                if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) == 0)
                    alter.Append($"ALTER TABLE {table} ADD COLUMN {column} {type};");
            }
            await RunAsync(connection, alter + sql, stepVersion, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RunAsync(SqliteConnection connection, string sql, int version, CancellationToken cancellationToken)
    {
        // Not deferred: the write lock is taken first, so a second process starting at once waits, then finds the new version.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = "PRAGMA user_version;";
        if ((long)(await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) >= version) return;
        create.CommandText = sql + $"PRAGMA user_version = {version};";
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string Base = """
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
}

