namespace Fumidai.Gateway.Storage;

/// <remarks>
/// Each audit export (syslog, stdout, webhook) has one row: the last sequence number it delivered and the node that holds
/// its lease. Nodes sharing one database all try to take the lease; one conditional upsert decides, so an event is exported
/// by one node, not once per node, and the cursor moves with the lease when that node stops.
/// </remarks>
public sealed partial class MetadataStore
{
    /// <summary>
    /// Takes or renews the lease of <paramref name="export"/> for <paramref name="node"/> until <paramref name="until"/>, when it is
    /// free, expired before <paramref name="now"/> or already this node's; returns the export's cursor, or null when another node holds it.
    /// </summary>
    public async Task<long?> TryLeaseAuditExportAsync(string export, string node, DateTimeOffset now, DateTimeOffset until,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit_exports (name, seq, holder, lease_until) VALUES (@name, 0, @node, @until)
            ON CONFLICT(name) DO UPDATE SET holder = @node, lease_until = @until
                WHERE audit_exports.holder = @node OR audit_exports.holder IS NULL OR audit_exports.lease_until < @now
            RETURNING seq
            """;
        Add(command, "@name", export);
        Add(command, "@node", node);
        Add(command, "@now", Time(now));
        Add(command, "@until", Time(until));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } seq and not DBNull ? Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Moves the cursor forward if <paramref name="node"/> still holds the lease; false when it was lost meanwhile.</summary>
    public async Task<bool> AdvanceAuditExportAsync(string export, string node, long sequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE audit_exports SET seq = @seq WHERE name = @name AND holder = @node AND seq <= @seq";
        Add(command, "@name", export);
        Add(command, "@node", node);
        Add(command, "@seq", sequence);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Gives the lease up, so another node takes the export over at once instead of after the lease runs out.</summary>
    public async Task ReleaseAuditExportAsync(string export, string node, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE audit_exports SET holder = NULL, lease_until = NULL WHERE name = @name AND holder = @node";
        Add(command, "@name", export);
        Add(command, "@node", node);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The export's cursor whoever holds it (0 when it never ran).</summary>
    public async Task<long> AuditExportCursorAsync(string export, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM audit_exports WHERE name = @name";
        Add(command, "@name", export);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } seq and not DBNull
            ? Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The newest audit sequence number (0 when the log is empty): with a cursor, the size of an export's backlog.</summary>
    public async Task<long> LastAuditSequenceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM audit";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
