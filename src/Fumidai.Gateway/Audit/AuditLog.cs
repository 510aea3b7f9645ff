using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Audit;

/// <summary>Writes audit events to the chained log in the metadata store and mirrors each as one log line.</summary>
/// <remarks>An audit write that fails is logged as an error and rethrown: callers decide whether to fail closed.</remarks>
public sealed class AuditLog : IAuditLog
{
    private readonly IAuditStore _store;
    private readonly ILogger _logger;

    public AuditLog(IAuditStore store, ILogger? logger = null)
    {
        _store = store;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task<AuditEvent> RecordAsync(string type, string outcome, string? user = null, string? source = null, string? target = null,
        IReadOnlyDictionary<string, string>? details = null, CancellationToken cancellationToken = default)
    {
        var auditEvent = new AuditEvent(DateTimeOffset.UtcNow, type, user, outcome, source, target, details ?? new Dictionary<string, string>());
        try
        {
            var stored = await _store.AppendAuditAsync(auditEvent, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("audit {Type} {Outcome}{Fields}", type, outcome, Fields(auditEvent));
            return stored;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "audit write failed for {Type} user={User}", type, user);
            throw;
        }
    }

    /// <summary>" user=… source=… target=… key=value…", leaving out what does not apply instead of printing it as "(null)".</summary>
    private static string Fields(AuditEvent auditEvent)
    {
        var fields = new System.Text.StringBuilder();
        if (auditEvent.User is { } user) fields.Append(" user=").Append(user);
        if (auditEvent.Source is { } source) fields.Append(" source=").Append(source);
        if (auditEvent.Target is { } target) fields.Append(" target=").Append(target);
        foreach (var (key, value) in auditEvent.Details) fields.Append(' ').Append(key).Append('=').Append(value);
        return fields.ToString();
    }
}
