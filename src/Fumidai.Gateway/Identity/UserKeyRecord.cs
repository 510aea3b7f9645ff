namespace Fumidai.Gateway.Identity;

/// <summary>A public key that authenticates a user (first factor).</summary>
public sealed record UserKeyRecord(string UserName, string Fingerprint, string PublicKey, string Comment);
