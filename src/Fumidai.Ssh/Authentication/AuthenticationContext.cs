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

    /// <summary>Free slot for the application to carry state between attempts (e.g. the verified first factor).</summary>
    public object? State { get; set; }
}
