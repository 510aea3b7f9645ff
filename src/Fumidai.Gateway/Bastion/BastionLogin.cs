using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Bastion;

/// <summary>What authentication established about an operator: the person, the requested target, the factors used.</summary>
public sealed record BastionLogin(UserRecord User, LoginName Name, string FirstFactor, string? KeyFingerprint)
{
    /// <summary>The key she proved (a plain key, also when she logged in with a certificate for it), or null for a password.</summary>
    public SshPublicKey? Key { get; init; }

    /// <summary>The login certificate that stood for both factors, or null when she typed a code.</summary>
    public LoginCertificateRecord? Certificate { get; init; }

    /// <summary>Her second factor is an approval in the browser through the IdP rather than a TOTP code.</summary>
    public bool ByApproval { get; init; }

    /// <summary>A machine account: key or certificate alone, from its allowed addresses only.</summary>
    public bool Machine { get; init; }

    /// <summary>How the session came: null for a direct login, <c>proxyjump</c> for the inner connection of <c>ssh -J</c>.</summary>
    public string? Via { get; init; }
}
