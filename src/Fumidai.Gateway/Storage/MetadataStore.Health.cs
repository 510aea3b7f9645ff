namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>Asks the database a trivial question: throws when it cannot be reached or does not answer.</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
