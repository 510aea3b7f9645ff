using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

/// <summary>What a session's start reads: the user's login facts again, and the roles and targets its target is chosen by.</summary>
public sealed record SessionStartFacts(LoginFacts Login, IReadOnlyList<AccessRole> Roles, IReadOnlyList<TargetRecord> Targets);

/// <summary>
/// Reads a session start's facts in one round trip: the re-check of the user (removed, disabled, locked, revoked) and the
/// policy come one after the other on every shell, exec or subsystem request, and on a shared database each round trip counts.
/// </summary>
public interface ISessionStartStore
{
    /// <summary>The same answers as <c>GetLoginFactsAsync</c>, <c>ListRolesAsync</c> and <c>ListTargetsAsync</c>.</summary>
    Task<SessionStartFacts> GetSessionStartFactsAsync(string userName, string source, DateTimeOffset now, CancellationToken cancellationToken = default);
}
