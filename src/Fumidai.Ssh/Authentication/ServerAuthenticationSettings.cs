namespace Fumidai.Ssh.Authentication;

/// <summary>How the server role authenticates: failure timing, the login banner and trusted user CAs.</summary>
/// <remarks>Attempt and time limits are in <see cref="SshConnectionLimits"/>.</remarks>
public sealed class ServerAuthenticationSettings
{
    /// <summary>Every failure is answered no sooner than this after its request, so timing does not tell why it failed.</summary>
    public TimeSpan FailureDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>USERAUTH_BANNER text shown before authentication, or null for none.</summary>
    public string? Banner { get; init; }

    /// <summary>CAs whose user certificates are accepted (sshd TrustedUserCAKeys); empty refuses every certificate.</summary>
    /// <remarks>A certificate must name the login as a principal and pass every check of PROTOCOL.certkeys.</remarks>
    public IReadOnlyList<Keys.SshPublicKey> TrustedUserCaKeys { get; init; } = [];

    /// <summary>The principal a user certificate must name for a login name; null: the login name itself, as sshd does.</summary>
    /// <remarks>An application whose login names carry more than the account (e.g. <c>alice:web01</c>) maps them to the account here.</remarks>
    public Func<string, string>? CertificatePrincipal { get; init; }

    /// <summary>Keyboard-interactive rounds allowed within one attempt.</summary>
    public int MaxKeyboardInteractiveRounds { get; init; } = 8;
}
