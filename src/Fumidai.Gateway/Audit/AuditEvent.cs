namespace Fumidai.Gateway.Audit;

/// <summary>One audit record (PCI DSS 10.2): who, what, when (UTC), outcome, from where, on which target, details.</summary>
public sealed record AuditEvent(
    DateTimeOffset Time,
    string Type,
    string? User,
    string Outcome,
    string? Source,
    string? Target,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>Position in the chain, assigned when stored.</summary>
    public long Sequence { get; init; }

    public string Hash { get; init; } = "";

    public string PreviousHash { get; init; } = "";
}

/// <summary>Outcome values of audit events.</summary>
public static class AuditOutcome
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Info = "info";
}
