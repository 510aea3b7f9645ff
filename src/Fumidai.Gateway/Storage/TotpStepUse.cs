using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>
/// What using a TOTP step found: whether the step was still unused (and is now used, committed), the user and her lock from
/// the source as read right after, and whether that source has a failure count a success must clear.
/// </summary>
/// <param name="SourceHasFailures">True when a row of failures or a lock exists for exactly this source; true when unknown.</param>
public sealed record TotpStepUse(bool Used, UserRecord? User, DateTimeOffset? LockedUntil, bool SourceHasFailures);
