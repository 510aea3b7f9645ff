namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>For each of <paramref name="sessionIds"/> that was checked: whether its recording verified, and the problem if not.</summary>
    public async Task<IReadOnlyDictionary<string, (bool Verified, string? Problem)>> RecordingChecksAsync(IReadOnlyCollection<string> sessionIds,
        CancellationToken cancellationToken = default)
    {
        var checks = new Dictionary<string, (bool, string?)>(StringComparer.Ordinal);
        if (sessionIds.Count == 0) return checks;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (string id in sessionIds)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT verified, problem FROM recording_checks WHERE session_id = @id";
            Add(command, "@id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                checks[id] = (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) == 1, reader.IsDBNull(1) ? null : reader.GetString(1));
        }
        return checks;
    }
}
