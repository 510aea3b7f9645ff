namespace Fumidai.Gateway.Storage;

/// <summary>A node as another node's console sees it: its last heartbeat and where its cluster listener is reached, if it has one.</summary>
public sealed record NodeAddressRecord(string Name, DateTimeOffset Heartbeat, string? InternalAddress);

public sealed partial class MetadataStore
{
    /// <summary>
    /// Publishes (or, with null, withdraws) the address of <paramref name="node"/>'s cluster listener; the row is made if the
    /// node has not heartbeat yet, with its heartbeat at <paramref name="now"/>.
    /// </summary>
    public async Task SetNodeAddressAsync(string node, string? address, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO nodes (name, started, heartbeat, internal_address) VALUES (@name, @now, @now, @address)
            ON CONFLICT(name) DO UPDATE SET internal_address = @address
            """;
        Add(command, "@name", node);
        Add(command, "@now", Time(now));
        Add(command, "@address", address);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node by that name, or null when it never heartbeat.</summary>
    public async Task<NodeAddressRecord?> GetNodeAddressAsync(string node, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, heartbeat, internal_address FROM nodes WHERE name = @name";
        Add(command, "@name", node);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new NodeAddressRecord(reader.GetString(0), ParseTime(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2));
    }
}
