namespace Fumidai.Gateway.Audit;

/// <summary>Where the gateway reports security events; each one is chained and stored before the call returns.</summary>
public interface IAuditLog
{
    /// <summary>Records one event; a failure to store it is thrown, so the caller can fail closed.</summary>
    Task<AuditEvent> RecordAsync(string type, string outcome, string? user = null, string? source = null, string? target = null,
        IReadOnlyDictionary<string, string>? details = null, CancellationToken cancellationToken = default);
}
