using Fumidai.Gateway.Administration;
using QRCoder;

namespace Fumidai.Web.Pages;

/// <summary>A new TOTP secret shown once, as the CLI shows it: the QR code to scan (an inline PNG, no script) and the otpauth URI.</summary>
public static class EnrolmentView
{
    public static string Html(NewTotp totp)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(totp.Uri, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        string image = Convert.ToBase64String(png.GetGraphic(6));
        return "<section class=\"enrolment\" id=\"enrolment\"><h2>TOTP enrolment for " + Pages.Html.E(totp.UserName) + "</h2>"
            + "<p class=\"warning\">Scan this code with an authenticator app now; it is shown only once and the page is not cached.</p>"
            + $"<img id=\"qr\" alt=\"TOTP QR code\" src=\"data:image/png;base64,{image}\">"
            + "<p><code id=\"otpauth\">" + Pages.Html.E(totp.Uri) + "</code></p></section>";
    }
}
