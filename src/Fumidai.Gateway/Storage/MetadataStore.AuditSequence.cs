namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>The newest audit sequence number (0 when the log is empty): with a cursor, the size of an export's backlog.</summary>
    public async Task<long> LastAuditSequenceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM audit";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
