using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>Everything a login decision reads about one user from one source, read together.</summary>
public sealed record LoginFacts(UserRecord? User, IReadOnlyList<UserKeyRecord> Keys, DateTimeOffset? LockedUntil, DateTimeOffset? Revoked,
    string? MachineAllowedFrom);

/// <summary>
/// Reads a user, her keys, her lock from a source, her latest revocation and her machine-account addresses in one round
/// trip where the store can: a login asks for all of them at each step, and on a shared database each round trip counts.
/// </summary>
public interface ILoginFactsStore
{
    /// <summary>The same answers as the separate reads (<c>GetUserAsync</c>, <c>ListUserKeysAsync</c>, <c>GetLockedUntilAsync</c>, <c>GetUserRevokedAsync</c>, <c>GetMachineAccountAsync</c>).</summary>
    Task<LoginFacts> GetLoginFactsAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>The facts from separate reads of separate stores (test fakes, stores without batching).</summary>
public sealed class SeparateLoginFacts(ICredentialStore credentials, IRevocationStore? revocations, IMachineAccountStore? machines) : ILoginFactsStore
{
    public async Task<LoginFacts> GetLoginFactsAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var user = await credentials.GetUserAsync(userName, cancellationToken).ConfigureAwait(false);
        var keys = await credentials.ListUserKeysAsync(userName, cancellationToken).ConfigureAwait(false);
        var locked = await credentials.GetLockedUntilAsync(userName, source, now, cancellationToken).ConfigureAwait(false);
        var revoked = revocations is null ? null : await revocations.GetUserRevokedAsync(userName, cancellationToken).ConfigureAwait(false);
        var machine = machines is null ? null : await machines.GetMachineAccountAsync(userName, cancellationToken).ConfigureAwait(false);
        return new LoginFacts(user, keys, locked, revoked, machine);
    }
}
