using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>What login needs from the store: users, their keys, TOTP replay state and failed-login counters.</summary>
public interface ICredentialStore
{
    Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<UserKeyRecord>> ListUserKeysAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Claims a TOTP time step for the user; false when it (or a later one) was already used, so a code works once.</summary>
    Task<bool> TryUseTotpStepAsync(string name, long step, CancellationToken cancellationToken = default);

    /// <summary>Counts a failed login of the user from a source; locks that pair once <paramref name="threshold"/> is reached.</summary>
    Task<(int Failures, bool Locked)> RecordFailureAsync(string userName, string source, int threshold, TimeSpan lockFor, DateTimeOffset now,
        CancellationToken cancellationToken = default);

    /// <summary>Until when the user is locked from this source (or from every source), or null.</summary>
    Task<DateTimeOffset?> GetLockedUntilAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<bool> ClearFailuresAsync(string userName, string source, CancellationToken cancellationToken = default);
}
