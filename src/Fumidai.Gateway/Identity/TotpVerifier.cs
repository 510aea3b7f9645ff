using OtpNet;

namespace Fumidai.Gateway.Identity;

/// <summary>RFC 6238 TOTP as Google Authenticator uses it: SHA-1, 6 digits, 30 s steps, ±1 step tolerance.</summary>
public static class TotpVerifier
{
    public const int SecretLength = 20;
    public const string Issuer = "Fumidai";

    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(SecretLength);

    /// <summary>The enrolment URI that authenticator apps read from the QR code.</summary>
    public static string EnrolmentUri(string userName, byte[] secret)
    {
        string label = Uri.EscapeDataString(Issuer) + ":" + Uri.EscapeDataString(userName);
        return $"otpauth://totp/{label}?secret={Base32Encoding.ToString(secret).TrimEnd('=')}&issuer={Issuer}&algorithm=SHA1&digits=6&period=30";
    }

    /// <summary>Returns the matched time step, or null when the code is wrong (the caller then checks replay by step).</summary>
    public static long? Verify(byte[] secret, string code, DateTimeOffset now)
    {
        code = code.Trim();
        if (code.Length != 6 || !code.All(char.IsAsciiDigit)) return null;
        var totp = new Totp(secret, step: 30, mode: OtpHashMode.Sha1, totpSize: 6);
        return totp.VerifyTotp(now.UtcDateTime, code, out long step, new VerificationWindow(previous: 1, future: 1)) ? step : null;
    }
}
