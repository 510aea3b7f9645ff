namespace Fumidai.Gateway.Administration;

/// <summary>What kind of refusal an administrative rule gave: the CLI turns it into its exit code, the console into its status.</summary>
public enum AdminRuleKind
{
    /// <summary>The value given is not acceptable (usage error, 400).</summary>
    Invalid,

    /// <summary>What it names does not exist (404).</summary>
    NotFound,

    /// <summary>It clashes with what exists (409).</summary>
    Conflict,

    /// <summary>Something it needs did not answer as it should, e.g. a host scanned for its keys (failure, 502).</summary>
    Unavailable,
}

/// <summary>A change refused by a rule shared by the CLI and the console; the message is the same clear one in both.</summary>
public sealed class AdminRuleException(AdminRuleKind kind, string message) : Exception(message)
{
    public AdminRuleKind Kind { get; } = kind;

    public static AdminRuleException Invalid(string message) => new(AdminRuleKind.Invalid, message);

    public static AdminRuleException NotFound(string message) => new(AdminRuleKind.NotFound, message);

    public static AdminRuleException Conflict(string message) => new(AdminRuleKind.Conflict, message);

    public static AdminRuleException Unavailable(string message) => new(AdminRuleKind.Unavailable, message);
}
