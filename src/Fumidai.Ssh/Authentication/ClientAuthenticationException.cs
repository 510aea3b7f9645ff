namespace Fumidai.Ssh.Authentication;

/// <summary>The server refused every method the client could try; names what was tried and what the server offered.</summary>
public sealed class ClientAuthenticationException : Exception
{
    public ClientAuthenticationException(string userName, IReadOnlyList<string> tried, IReadOnlyList<string> offered, string? detail = null)
        : base($"authentication as '{userName}' failed: tried [{string.Join(", ", tried)}], server offers [{string.Join(", ", offered)}]"
            + (detail is null ? "" : "; " + detail))
    {
        UserName = userName;
        MethodsTried = tried;
        MethodsOffered = offered;
    }

    public string UserName { get; }

    /// <summary>Each attempt, e.g. <c>none</c>, <c>publickey ssh-ed25519 SHA256:…</c>, <c>password</c>.</summary>
    public IReadOnlyList<string> MethodsTried { get; }

    /// <summary>The methods the server's last USERAUTH_FAILURE said could continue.</summary>
    public IReadOnlyList<string> MethodsOffered { get; }
}
