using System.Net;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Server;

/// <summary>An authenticated connection as the application sees it: who, from where, over which transport.</summary>
public sealed class SshServerSession
{
    public SshServerSession(SshTransport transport, AuthenticatedUser user, EndPoint? remoteEndPoint)
    {
        Transport = transport;
        User = user;
        RemoteEndPoint = remoteEndPoint;
    }

    public SshTransport Transport { get; }

    public AuthenticatedUser User { get; }

    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The connection multiplexer, set once the connection layer starts.</summary>
    public Connection.SshConnection? Connection { get; internal set; }
}
