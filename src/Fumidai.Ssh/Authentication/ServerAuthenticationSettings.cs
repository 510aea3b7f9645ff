namespace Fumidai.Ssh.Authentication;

/// <summary>Pre-authentication limits and the login banner for the server role.</summary>
public sealed class ServerAuthenticationSettings
{
    /// <summary>Time from TCP accept to USERAUTH_SUCCESS (OpenSSH LoginGraceTime); default 30 s.</summary>
    public TimeSpan LoginGraceTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed attempts (excluding <c>none</c>) before the connection is closed; default 6.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Every failure is answered no sooner than this after its request, so timing does not tell why it failed.</summary>
    public TimeSpan FailureDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>USERAUTH_BANNER text shown before authentication, or null for none.</summary>
    public string? Banner { get; init; }

    /// <summary>CAs whose user certificates are accepted (sshd TrustedUserCAKeys); empty refuses every certificate.</summary>
    /// <remarks>A certificate must name the login as a principal and pass every check of PROTOCOL.certkeys.</remarks>
    public IReadOnlyList<Keys.SshPublicKey> TrustedUserCaKeys { get; init; } = [];

    /// <summary>Keyboard-interactive rounds allowed within one attempt.</summary>
    public int MaxKeyboardInteractiveRounds { get; init; } = 8;
}
