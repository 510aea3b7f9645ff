using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// Counts logins and refusals from the audit events the authenticator writes anyway, so the counters agree with the audit
/// log by construction; every call is passed on unchanged.
/// </summary>
public sealed class LoginCountingAuditLog(IAuditLog inner) : IAuditLog
{
    public async Task<AuditEvent> RecordAsync(string type, string outcome, string? user = null, string? source = null, string? target = null,
        IReadOnlyDictionary<string, string>? details = null, CancellationToken cancellationToken = default)
    {
        var recorded = await inner.RecordAsync(type, outcome, user, source, target, details, cancellationToken).ConfigureAwait(false);
        switch (type)
        {
            case AuditTypes.Login:
                FumidaiMetrics.CountLogin(true, null);
                break;
            case AuditTypes.LoginFailure or AuditTypes.MfaFailure or AuditTypes.MfaReplay:
                FumidaiMetrics.CountLogin(false, details is not null && details.TryGetValue("reason", out var reason) ? reason : type);
                break;
        }
        return recorded;
    }
}
