using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Authentication;

/// <summary>One USERAUTH_REQUEST as the application sees it (RFC 4252 §5).</summary>
public abstract record AuthenticationAttempt(string UserName, string Method);

/// <summary>The <c>none</c> method: always answered with the methods that can continue.</summary>
public sealed record NoneAttempt(string UserName) : AuthenticationAttempt(UserName, AuthenticationMethods.None);

/// <summary>A <c>publickey</c> request whose signature over the session identifier has already been verified.</summary>
/// <remarks>Unverified queries never reach the application, so it cannot be used to probe which keys a user has.</remarks>
public sealed record PublicKeyAttempt(string UserName, SshPublicKey Key, string SignatureAlgorithm)
    : AuthenticationAttempt(UserName, AuthenticationMethods.PublicKey);

/// <summary>
/// A signed <c>publickey</c> request whose certificate the server's own checks refused (expired, wrong principal or source,
/// another CA). The application hears of it only to keep a record; the answer is failure whatever it decides.
/// </summary>
/// <param name="FromTrustedCa">Whether a trusted CA really signed it: only then is it one of ours gone stale rather than a forgery.</param>
public sealed record RefusedCertificateAttempt(string UserName, SshCertificate Certificate, string Reason, bool FromTrustedCa)
    : AuthenticationAttempt(UserName, AuthenticationMethods.PublicKey);

/// <summary>A <c>password</c> request (RFC 4252 §8). The password must never be logged.</summary>
public sealed record PasswordAttempt(string UserName, string Password) : AuthenticationAttempt(UserName, AuthenticationMethods.Password)
{
    public override string ToString() => $"PasswordAttempt {{ UserName = {UserName} }}";
}

/// <summary>A <c>keyboard-interactive</c> request (RFC 4256); the application asks its questions through <see cref="Prompter"/>.</summary>
public sealed record KeyboardInteractiveAttempt(string UserName, string Submethods, IKeyboardInteractivePrompter Prompter)
    : AuthenticationAttempt(UserName, AuthenticationMethods.KeyboardInteractive);
