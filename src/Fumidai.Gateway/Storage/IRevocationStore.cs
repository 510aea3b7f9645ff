namespace Fumidai.Gateway.Storage;

/// <summary>How a node learns that access ended elsewhere: revocation markers, per-user revocation times, and the current locks.</summary>
public interface IRevocationStore
{
    Task<long> LatestRevocationAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Revocation>> ListRevocationsAfterAsync(long seq, CancellationToken cancellationToken = default);

    /// <summary>When the user's access was last revoked as a whole (sessions opened before then must end), or null.</summary>
    Task<DateTimeOffset?> GetUserRevokedAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Every (user, source) pair locked at <paramref name="now"/>; the source <c>*</c> means everywhere.</summary>
    Task<IReadOnlySet<(string User, string Source)>> ListLocksAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
