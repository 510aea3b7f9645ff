using System.Globalization;
using System.Text;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore : IUserStatesStore
{
    // Names per query: well under every provider's limit on parameters.
    private const int UserStatesPerQuery = 500;

    /// <summary>One query per <see cref="UserStatesPerQuery"/> names: each user row with her latest user-wide revocation.</summary>
    public async Task<IReadOnlyDictionary<string, UserState>> GetUserStatesAsync(IReadOnlyCollection<string> userNames,
        CancellationToken cancellationToken = default)
    {
        var names = userNames.Distinct(StringComparer.Ordinal).ToArray();
        var states = names.ToDictionary(n => n, _ => new UserState(null, null), StringComparer.Ordinal);
        if (names.Length == 0) return states;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in names.Chunk(UserStatesPerQuery))
        {
            await using var command = connection.CreateCommand();
            var list = new StringBuilder();
            for (int i = 0; i < chunk.Length; i++)
            {
                string parameter = "@u" + i.ToString(CultureInfo.InvariantCulture);
                list.Append(i == 0 ? "" : ", ").Append(parameter);
                Add(command, parameter, chunk[i]);
            }
            // A missing user has no row here and keeps her null state: refused like a deleted one, whatever her revocations.
            command.CommandText = $"""
                SELECT {UserColumns},
                    (SELECT MAX(r.time) FROM revocations r WHERE r.user_name = u.name AND r.scope = 'user')
                FROM users u WHERE u.name IN ({list})
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var user = ReadUser(reader);
                states[user.Name] = new UserState(user, reader.IsDBNull(6) ? null : ParseTime(reader.GetString(6)));
            }
        }
        return states;
    }
}
