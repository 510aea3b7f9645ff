using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Authentication;

/// <summary>Answers keyboard-interactive questions (RFC 4256 §3.2) on the client side; one answer per prompt, in order.</summary>
public delegate ValueTask<string[]> KeyboardInteractiveCallback(string name, string instruction,
    IReadOnlyList<KeyboardInteractivePrompt> prompts, CancellationToken cancellationToken);

/// <summary>Who the client logs in as and with what: keys (plain or certified), a password, a keyboard-interactive callback.</summary>
/// <remarks>Methods are tried in RFC 4252 order of preference: publickey (each key once), password, keyboard-interactive.</remarks>
public sealed class ClientCredentials
{
    public ClientCredentials(string userName)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        UserName = userName;
    }

    public string UserName { get; }

    /// <summary>User keys; an <see cref="SshCertifiedPrivateKey"/> authenticates with its certificate.</summary>
    public IReadOnlyList<SshPrivateKey> Keys { get; init; } = [];

    public string? Password { get; init; }

    public KeyboardInteractiveCallback? KeyboardInteractive { get; init; }

    /// <summary>Receives USERAUTH_BANNER text (RFC 4252 §5.4), e.g. a legal notice; it may contain anything the server sends.</summary>
    public Action<string>? BannerReceived { get; init; }
}
