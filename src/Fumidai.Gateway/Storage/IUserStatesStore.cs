using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>A user as stored now and when her access was last revoked as a whole.</summary>
public sealed record UserState(UserRecord? User, DateTimeOffset? Revoked);

/// <summary>
/// The current state of many users read together: a node re-checking its live connections asks for every connected user
/// at once, and on a shared database one query for all of them beats two per user.
/// </summary>
public interface IUserStatesStore
{
    /// <summary>Each of <paramref name="userNames"/> with the same answers as <c>GetUserAsync</c> and <c>GetUserRevokedAsync</c>; a name not stored maps to a null user.</summary>
    Task<IReadOnlyDictionary<string, UserState>> GetUserStatesAsync(IReadOnlyCollection<string> userNames, CancellationToken cancellationToken = default);
}

/// <summary>The states from separate reads of separate stores (test fakes, stores without batching).</summary>
public sealed class SeparateUserStates(ICredentialStore credentials, IRevocationStore revocations) : IUserStatesStore
{
    public async Task<IReadOnlyDictionary<string, UserState>> GetUserStatesAsync(IReadOnlyCollection<string> userNames,
        CancellationToken cancellationToken = default)
    {
        var states = new Dictionary<string, UserState>(StringComparer.Ordinal);
        foreach (var name in userNames.Distinct(StringComparer.Ordinal))
        {
            states[name] = new UserState(await credentials.GetUserAsync(name, cancellationToken).ConfigureAwait(false),
                await revocations.GetUserRevokedAsync(name, cancellationToken).ConfigureAwait(false));
        }
        return states;
    }
}
