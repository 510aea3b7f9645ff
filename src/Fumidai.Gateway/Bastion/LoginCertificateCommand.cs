using System.Globalization;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion.Session;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// <c>ssh alice@bastion cert</c>: prints a login certificate for the key she just proved together with a TOTP code.
/// Only a login with the code earns one, so a certificate can never renew itself.
/// </summary>
internal sealed class LoginCertificateCommand
{
    public const string Command = "cert";

    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly string _source;
    private readonly OperatorTerminal _terminal;

    public LoginCertificateCommand(BastionContext context, BastionLogin login, string source, OperatorTerminal terminal)
    {
        _context = context;
        _login = login;
        _source = source;
        _terminal = terminal;
    }

    /// <summary>True for the exact command <c>cert</c> on a login name without a target, when this bastion issues certificates.</summary>
    public static bool Applies(BastionContext context, BastionLogin login, string command) =>
        context.LoginCertificates is not null && login.Name.Target is null && command.Trim() == Command;

    public async Task RunAsync()
    {
        try
        {
            if (await RefusalAsync().ConfigureAwait(false) is { } refusal)
            {
                await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, null,
                    new Dictionary<string, string> { ["request"] = "cert", ["reason"] = refusal }).ConfigureAwait(false);
                await _terminal.FailAsync(refusal, 1).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ChannelRelay.IsChannelGone(ex))
        {
            _context.Logger.LogDebug("cert request of {User} ended early: {Message}", _login.User.Name, ex.Message);
        }
        catch (Exception ex)
        {
            _context.Logger.LogError(ex, "cert request of {User} failed", _login.User.Name);
            await _terminal.FailAsync("internal error; the incident was logged", 1).ConfigureAwait(false);
        }
    }

    /// <summary>Issues and prints the certificate; returns why not instead when it may not.</summary>
    private async Task<string?> RefusalAsync()
    {
        if (_login.Machine) return "machine accounts get no login certificates: they have no second factor to vouch for";
        if (_login.Certificate is not null) return "a certificate cannot renew itself; log in with your key and a verification code";
        if (_login.Key is not { } key) return "certificates are issued for a key; log in with your key and a verification code";
        var (certificate, record, refusal) = await _context.LoginCertificates!.IssueAsync(_login.User, key, _source, CancellationToken.None)
            .ConfigureAwait(false);
        if (certificate is null || record is null) return refusal;
        await _context.Audit.RecordAsync(AuditTypes.CertificateIssued, AuditOutcome.Success, _login.User.Name, _source, null,
            new Dictionary<string, string>
            {
                ["serial"] = record.Serial.ToString(CultureInfo.InvariantCulture),
                ["key"] = record.KeyFingerprint,
                ["issued"] = record.Issued.ToString("u", CultureInfo.InvariantCulture),
                ["valid_before"] = record.ValidBefore.ToString("u", CultureInfo.InvariantCulture),
                ["source_address"] = record.Source ?? "",
            }).ConfigureAwait(false);
        await _terminal.WriteAsync(certificate.ToOpenSsh(certificate.KeyId) + "\n").ConfigureAwait(false);
        await _terminal.FinishAsync(0).ConfigureAwait(false);
        return null;
    }
}
