using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Agent;

/// <summary>
/// One-time join tokens: <c>fdj1.SECRET.FINGERPRINT</c>, where the fingerprint names the bastion's Ed25519 host key, so the
/// agent can trust the bastion on its first connection without a separate known_hosts step. Only a hash of the secret is stored.
/// </summary>
public static class AgentToken
{
    private const string Prefix = "fdj1.";

    /// <summary>The longest token accepted from the wire; anything longer is refused before it is hashed.</summary>
    public const int MaxLength = 256;

    /// <summary>A new token for a bastion whose Ed25519 host key has <paramref name="hostKeyFingerprint"/> (<c>SHA256:…</c>).</summary>
    public static string Create(string hostKeyFingerprint)
    {
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return Prefix + secret + "." + hostKeyFingerprint["SHA256:".Length..];
    }

    /// <summary>Splits a token into its secret and the bastion host key fingerprint it names; false when it is not one.</summary>
    public static bool TryParse(string token, out string secret, out string hostKeyFingerprint)
    {
        secret = hostKeyFingerprint = "";
        if (token.Length > MaxLength || !token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 2 || parts[0].Length < 16 || parts[1].Length == 0) return false;
        secret = parts[0];
        hostKeyFingerprint = "SHA256:" + parts[1];
        return true;
    }

    /// <summary>What the store keeps of a token: SHA-256 of its secret.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="presented"/> (a whole token) matches <paramref name="storedHash"/>, compared in constant time.</summary>
    public static bool Matches(string presented, byte[]? storedHash)
    {
        // Hash something either way, so a malformed or absent token takes as long as a wrong one.
        string secret = TryParse(presented, out var s, out _) ? s : presented.Length > MaxLength ? "" : presented;
        var hash = Hash(secret);
        return storedHash is { Length: 32 } && CryptographicOperations.FixedTimeEquals(hash, storedHash) && s.Length > 0;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
