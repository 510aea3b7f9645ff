namespace Fumidai.Gateway.Identity;

/// <summary>A person known to the bastion: roles, state, factors (secrets encrypted with the master key).</summary>
public sealed record UserRecord(
    string Name,
    IReadOnlyList<string> Roles,
    bool Disabled,
    byte[]? EncryptedTotpSecret,
    string? PasswordHash,
    DateTimeOffset Created)
{
    public bool HasTotp => EncryptedTotpSecret is { Length: > 0 };

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public override string ToString() => $"UserRecord {{ Name = {Name}, Roles = [{string.Join(',', Roles)}], Disabled = {Disabled} }}";
}
