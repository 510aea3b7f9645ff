using Xunit;

namespace Fumidai.Testing;

/// <summary>A fact that runs only when an environment variable is set (to a given value, if one is named), and is reported skipped otherwise.</summary>
/// <remarks>xunit 2 has no way to skip from inside a running test; a test that returned early would be counted as passed.</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class EnvironmentFactAttribute : FactAttribute
{
    /// <param name="variable">The variable that opts in.</param>
    /// <param name="value">The value it must have; null accepts any non-empty value.</param>
    public EnvironmentFactAttribute(string variable, string? value = null)
    {
        Variable = variable;
        Value = value;
        string? actual = Environment.GetEnvironmentVariable(variable);
        bool enabled = value is null ? !string.IsNullOrEmpty(actual) : actual == value;
        if (!enabled) Skip = $"opt-in: set {variable}{(value is null ? "" : "=" + value)} to run";
    }

    /// <summary>The variable that opts in.</summary>
    public string Variable { get; }

    /// <summary>The value it must have, or null for any non-empty value.</summary>
    public string? Value { get; }
}
