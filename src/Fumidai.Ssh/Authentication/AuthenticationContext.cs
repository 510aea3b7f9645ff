using System.Net;

namespace Fumidai.Ssh.Authentication;

/// <summary>What the application knows about the connection while it authenticates: peer address and progress so far.</summary>
public sealed class AuthenticationContext
{
    public AuthenticationContext(EndPoint? remoteEndPoint, string clientVersion)
    {
        RemoteEndPoint = remoteEndPoint;
        ClientVersion = clientVersion;
    }

    public EndPoint? RemoteEndPoint { get; }

    public string ClientVersion { get; }

    /// <summary>Methods that already succeeded partially on this connection, in order.</summary>
    public List<string> CompletedMethods { get; } = [];

    /// <summary>Run by the server just before USERAUTH_SUCCESS leaves, so a client told it succeeded no longer counts as unauthenticated.</summary>
    internal Action? Succeeding { get; set; }

    /// <summary>Set by the server: moves the end of the login grace time to the given time from now, if that is later.</summary>
    internal Action<TimeSpan>? GraceExtender { get; set; }

    /// <summary>
    /// Gives this login at least <paramref name="left"/> more before the login grace time ends it, e.g. while its holder, who has
    /// proven her first factor, approves it elsewhere. Never shortens it.
    /// </summary>
    public void ExtendLoginGrace(TimeSpan left) => GraceExtender?.Invoke(left);

    /// <summary>Free slot for the application to carry state between attempts (e.g. the verified first factor).</summary>
    public object? State { get; set; }
}
