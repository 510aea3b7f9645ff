namespace Fumidai.Gateway.Policy;

/// <summary>A grant: which targets (glob patterns), which logins, which channel kinds, and session time limits.</summary>
public sealed record AccessRole(
    string Name,
    IReadOnlyList<string> TargetPatterns,
    IReadOnlyList<string> Logins,
    IReadOnlyList<string> Allow,
    TimeSpan? IdleTimeout,
    TimeSpan? MaxSession);
