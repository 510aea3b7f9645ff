namespace Fumidai.Gateway.Storage;

/// <summary>One key every node of a cluster presents or signs with: its public half, and its private half sealed by the master key.</summary>
public sealed record ClusterKeyRecord(string Name, string PublicKey, byte[] SealedPrivateKey, DateTimeOffset Created);

public sealed partial class MetadataStore
{
    /// <summary>The cluster's key by that name, or null when no node stored it yet.</summary>
    public async Task<ClusterKeyRecord?> GetClusterKeyAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, public_key, private_key, created FROM cluster_keys WHERE name = @name";
        Add(command, "@name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new ClusterKeyRecord(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), ParseTime(reader.GetString(3)));
    }

    /// <summary>
    /// Stores the key unless a node stored one by that name first; returns true when this one was kept. Of two nodes
    /// creating the cluster at once, one wins and the other reads the winner's key.
    /// </summary>
    public async Task<bool> TryAddClusterKeyAsync(ClusterKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO cluster_keys (name, public_key, private_key, created) VALUES (@name, @public, @private, @created)
            ON CONFLICT(name) DO NOTHING
            """;
        Add(command, "@name", key.Name);
        Add(command, "@public", key.PublicKey);
        Add(command, "@private", key.SealedPrivateKey);
        Add(command, "@created", Time(key.Created));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Whether any node has stored the cluster's keys (a new node then joins instead of making its own).</summary>
    public async Task<bool> HasClusterKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cluster_keys";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
