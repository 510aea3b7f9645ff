using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Identity;
using QRCoder;

namespace Fumidai.Cli.Totp;

/// <summary>A new TOTP secret for a user: encrypted for storage, and shown once as an otpauth URI and QR code.</summary>
public sealed class TotpEnrolment
{
    private TotpEnrolment(NewTotp totp)
    {
        UserName = totp.UserName;
        Uri = totp.Uri;
        EncryptedSecret = totp.EncryptedSecret;
    }

    public string UserName { get; }

    /// <summary>The <c>otpauth://totp/</c> URI authenticator apps read.</summary>
    public string Uri { get; }

    /// <summary>The secret encrypted with the master key, purpose <c>totp:USER</c>.</summary>
    public byte[] EncryptedSecret { get; }

    public static string Purpose(string userName) => NewTotp.Purpose(userName);

    public static TotpEnrolment Create(string userName, SecretProtector protector) => new(NewTotp.Create(userName, protector));

    /// <summary>A secret made by a shared administrative change, to be shown.</summary>
    public static TotpEnrolment From(NewTotp totp) => new(totp);

    /// <summary>Prints the URI on its own line, then the QR code in half-block characters.</summary>
    public void Print(TextWriter output)
    {
        output.WriteLine(Uri);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(Uri, QRCodeGenerator.ECCLevel.M);
        using var ascii = new AsciiQRCode(data);
        // Line by line: the console escapes newlines inside a write.
        foreach (var line in ascii.GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n").Split('\n')) output.WriteLine(line);
        output.WriteLine($"Scan the code with an authenticator app (issuer {TotpVerifier.Issuer}, account {UserName}); "
            + "it is shown only now.");
    }

    /// <summary>Writes the QR code as a PNG readable by the owner only (it holds the secret).</summary>
    public void WritePng(string path)
    {
        InputValidation.OutputFile("--qr-png", path);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(Uri, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        var bytes = png.GetGraphic(8);
        // Recreated rather than overwritten, so an existing file's looser mode does not carry over.
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(bytes);
    }
}
