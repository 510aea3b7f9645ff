namespace Fumidai.Gateway.Storage;

/// <remarks>
/// A lease names work that one node of a cluster does for all of them. Its holder renews it before it expires; a node
/// that dies lets it expire, and another takes it over with the position the last holder reached.
/// </remarks>
public sealed partial class MetadataStore
{
    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/> until <paramref name="expires"/>,
    /// if it is free, expired at <paramref name="now"/> or already this holder's; returns whether it is held now and the
    /// position stored with it.
    /// </summary>
    public async Task<(bool Held, long Position)> TryTakeLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset expires,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // One statement: of two nodes asking at once, the database lets one update win.
        command.CommandText = """
            INSERT INTO cluster_leases (name, holder, expires, position) VALUES (@name, @holder, @expires, 0)
            ON CONFLICT(name) DO UPDATE SET holder = @holder, expires = @expires
                WHERE cluster_leases.holder = @holder OR cluster_leases.expires < @now
            RETURNING position
            """;
        Add(command, "@name", name);
        Add(command, "@holder", holder);
        Add(command, "@expires", Time(expires));
        Add(command, "@now", Time(now));
        var position = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return position is null or DBNull ? (false, 0) : (true, Convert.ToInt64(position, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Records how far the holder got; false when the lease is no longer <paramref name="holder"/>'s (nothing is changed then).</summary>
    public async Task<bool> SetLeasePositionAsync(string name, string holder, long position, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE cluster_leases SET position = @position WHERE name = @name AND holder = @holder AND position <= @position";
        Add(command, "@name", name);
        Add(command, "@holder", holder);
        Add(command, "@position", position);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Gives the lease up at once (a node stopping cleanly), so another node need not wait for it to expire.</summary>
    public async Task ReleaseLeaseAsync(string name, string holder, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE cluster_leases SET expires = @now WHERE name = @name AND holder = @holder";
        Add(command, "@name", name);
        Add(command, "@holder", holder);
        Add(command, "@now", Time(now));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The position stored with the lease <paramref name="name"/>, whoever holds it (0 when it was never taken).</summary>
    public async Task<long> LeasePositionAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT position FROM cluster_leases WHERE name = @name";
        Add(command, "@name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } position and not DBNull
            ? Convert.ToInt64(position, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
