using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Administration;

/// <summary>A new TOTP secret for a user: encrypted for storage, and its <c>otpauth://totp/</c> URI, shown once to be scanned.</summary>
public sealed record NewTotp(string UserName, string Uri, byte[] EncryptedSecret)
{
    /// <summary>The master key's purpose for the user's secret.</summary>
    public static string Purpose(string userName) => "totp:" + userName;

    public static NewTotp Create(string userName, SecretProtector protector)
    {
        var secret = TotpVerifier.NewSecret();
        try
        {
            return new NewTotp(userName, TotpVerifier.EnrolmentUri(userName, secret), protector.Protect(secret, Purpose(userName)));
        }
        finally
        {
            Array.Clear(secret);
        }
    }
}
