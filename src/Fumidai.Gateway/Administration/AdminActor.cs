using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Administration;

/// <summary>Who makes an administrative change and through what, as every such change is audited: the actor, the event's source, the channel.</summary>
/// <param name="Name">The OS account running the CLI, or the signed-in console admin.</param>
/// <param name="Source">The audit event's source: <c>cli</c>, or the console client's address.</param>
/// <param name="Via">The channel named in the details (<c>web</c>), or null for the CLI, whose source already says it.</param>
public sealed record AdminActor(string Name, string Source, string? Via = null)
{
    /// <summary>Audits one change by this actor; <c>action</c> and <c>actor</c> (and <c>via</c>) are added to the details.</summary>
    public Task RecordAsync(IAuditLog audit, string type, string action, string? user, string? target, IReadOnlyDictionary<string, string>? details,
        CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, string>(details ?? new Dictionary<string, string>())
        {
            ["action"] = action,
            ["actor"] = Name,
        };
        if (Via is not null) all["via"] = Via;
        return audit.RecordAsync(type, AuditOutcome.Success, user, Source, target, all, cancellationToken);
    }
}
