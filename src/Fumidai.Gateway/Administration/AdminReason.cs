namespace Fumidai.Gateway.Administration;

/// <summary>The reason an admin gives for ending someone's access: short, and free of control characters since the operator's terminal shows it.</summary>
public static class AdminReason
{
    public const int MaxLength = 200;

    /// <summary>What is wrong with the reason (the caller names the field), or null when it may be used.</summary>
    public static string? Problem(string reason) =>
        reason.Length > MaxLength ? $"at most {MaxLength} characters"
        : reason.Any(char.IsControl) ? "control characters are not allowed"
        : null;
}
