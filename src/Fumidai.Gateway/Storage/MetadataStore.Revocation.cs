using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

/// <summary>A request, written by an admin command, that running bastions re-check or end live connections and sessions.</summary>
/// <param name="Scope"><see cref="RevocationScopes"/>: re-check everything, end a user's connections, or end one session.</param>
public sealed record Revocation(long Seq, DateTimeOffset Time, string Scope, string? User, string? SessionId, string Reason, string? Actor);

/// <summary>What a <see cref="Revocation"/> asks of the nodes.</summary>
public static class RevocationScopes
{
    /// <summary>Users, roles or targets changed: every node re-checks its live connections against the current policy.</summary>
    public const string Policy = "policy";

    /// <summary>Every connection the user made before this request ends (disable, lock, MFA reset).</summary>
    public const string User = "user";

    /// <summary>One session ends (<c>sessions kill</c>).</summary>
    public const string Session = "session";
}

public sealed partial class MetadataStore
{
    /// <summary>Records a revocation request; the nodes pick it up by its sequence number, so it works across processes and nodes.</summary>
    public async Task<long> AddRevocationAsync(string scope, string? user, string? sessionId, string reason, string? actor,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO revocations (time, scope, user_name, session_id, reason, actor) VALUES (@time, @scope, @user, @session, @reason, @actor)
            RETURNING seq
            """;
        Add(command, "@time", Time(DateTimeOffset.UtcNow));
        Add(command, "@scope", scope);
        Add(command, "@user", user);
        Add(command, "@session", sessionId);
        Add(command, "@reason", reason);
        Add(command, "@actor", actor);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    /// <summary>The latest revocation's sequence number (0 when none): the cheap marker a node polls.</summary>
    public async Task<long> LatestRevocationAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM revocations";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    /// <summary>Revocations after <paramref name="seq"/>, oldest first (bounded: a node that fell far behind re-checks everything anyway).</summary>
    public async Task<IReadOnlyList<Revocation>> ListRevocationsAfterAsync(long seq, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, time, scope, user_name, session_id, reason, actor FROM revocations WHERE seq > @seq ORDER BY seq LIMIT 1000
            """;
        Add(command, "@seq", seq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Revocation>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new Revocation(reader.GetInt64(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return list;
    }

    /// <summary>When the user's connections were last revoked as a whole (disable, lock, MFA reset), or null.</summary>
    public async Task<DateTimeOffset?> GetUserRevokedAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(time) FROM revocations WHERE user_name = @user AND scope = 'user'";
        Add(command, "@user", userName);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string text ? ParseTime(text) : null;
    }

    /// <summary>Users and the sources they are locked from at <paramref name="now"/> (<see cref="AllSources"/>: from everywhere), however the lock came.</summary>
    public async Task<IReadOnlySet<(string User, string Source)>> ListLocksAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Times are stored in one fixed-width UTC format, so they compare as text.
        command.CommandText = "SELECT user_name, source FROM source_lockouts WHERE locked_until IS NOT NULL AND locked_until > @now";
        Add(command, "@now", Time(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var locks = new HashSet<(string, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) locks.Add((reader.GetString(0), reader.GetString(1)));
        return locks;
    }

    /// <summary>Locks the account from every source until <paramref name="until"/> (an administrator's lock; <c>user unlock</c> clears it).</summary>
    public async Task LockUserAsync(string userName, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO source_lockouts (user_name, source, failures, locked_until) VALUES (@user, '*', 0, @until)
            ON CONFLICT(user_name, source) DO UPDATE SET locked_until = @until
            """;
        Add(command, "@user", userName);
        Add(command, "@until", Time(until));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a target's address, logins, pinned host keys and stored key; false when it does not exist.</summary>
    public async Task<bool> UpdateTargetAsync(TargetRecord target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE targets SET host = @host, port = @port, logins = @logins, host_keys = @keys, private_key = @private WHERE name = @name
            """;
        Add(command, "@name", target.Name);
        Add(command, "@host", target.Host);
        Add(command, "@port", target.Port);
        Add(command, "@logins", Json(target.Logins));
        Add(command, "@keys", Json(target.HostKeys));
        Add(command, "@private", target.EncryptedPrivateKey);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
