using System.Text;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Identity.Idp;

/// <summary>Refresh tokens at rest: sealed with the master key like TOTP seeds, the user's name bound as associated data.</summary>
public static class IdpTokens
{
    private static string Purpose(string user) => "idp-refresh:" + user;

    /// <summary>Seals a refresh token for <paramref name="user"/>.</summary>
    public static byte[] Seal(SecretProtector protector, string user, string token) => protector.Protect(Encoding.UTF8.GetBytes(token), Purpose(user));

    /// <summary>The token of a stored record.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Another master key sealed it, or it was tampered with.</exception>
    public static string Open(SecretProtector protector, IdpTokenRecord record) =>
        Encoding.UTF8.GetString(protector.Unprotect(record.SealedToken, Purpose(record.UserName)));

    /// <summary>Keeps the token of her sign-in just now, replacing any older one.</summary>
    public static Task KeepAsync(MetadataStore store, SecretProtector protector, string user, string subject, string token,
        CancellationToken cancellationToken) =>
        store.SetIdpTokenAsync(new IdpTokenRecord(user, subject, Seal(protector, user, token), DateTimeOffset.UtcNow), cancellationToken);
}
