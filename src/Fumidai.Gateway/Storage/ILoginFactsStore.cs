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

    /// <summary>
    /// Marks <paramref name="step"/> used as <c>TryUseTotpStepAsync</c> does (committed before this returns), then reads the
    /// user and her lock from <paramref name="source"/> as <c>GetUserAsync</c> and <c>GetLockedUntilAsync</c> do, and whether the
    /// source has failures to clear: what a login reads after a good code, in one round trip where the store can.
    /// </summary>
    Task<TotpStepUse> UseTotpStepAsync(string userName, long step, string source, DateTimeOffset now, CancellationToken cancellationToken = default);
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

    public async Task<TotpStepUse> UseTotpStepAsync(string userName, long step, string source, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (!await credentials.TryUseTotpStepAsync(userName, step, cancellationToken).ConfigureAwait(false))
            return new TotpStepUse(false, null, null, true);
        var user = await credentials.GetUserAsync(userName, cancellationToken).ConfigureAwait(false);
        var locked = await credentials.GetLockedUntilAsync(userName, source, now, cancellationToken).ConfigureAwait(false);
        return new TotpStepUse(true, user, locked, true);
    }
}
