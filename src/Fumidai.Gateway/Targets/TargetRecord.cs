namespace Fumidai.Gateway.Targets;

/// <summary>A server operators may reach: address, logins, pinned host keys, and an optional stored key (encrypted).</summary>
/// <remarks>Without a stored key the bastion logs in with a short-lived certificate from its user CA.</remarks>
public sealed record TargetRecord(
    string Name,
    string Host,
    int Port,
    IReadOnlyList<string> Logins,
    IReadOnlyList<string> HostKeys,
    byte[]? EncryptedPrivateKey,
    DateTimeOffset Created)
{
    public string CredentialKind => EncryptedPrivateKey is null ? "certificate" : "stored-key";

    /// <summary>Reached through its agent's connection rather than at an address: such targets are stored without one.</summary>
    public bool ViaAgent => Host.Length == 0;

    public override string ToString() => $"TargetRecord {{ Name = {Name}, Host = {Host}:{Port} }}";
}
