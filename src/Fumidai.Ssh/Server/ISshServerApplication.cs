using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.Server;

/// <summary>The application behind an <see cref="SshServer"/>: authenticates users and serves their channels.</summary>
public interface ISshServerApplication : IServerAuthenticator
{
    /// <summary>Called once authentication succeeded; returns the handler for this connection's channel opens.</summary>
    IChannelOpenHandler CreateChannelHandler(SshServerSession session);

    /// <summary>Called when an authenticated connection ends, for auditing and cleanup.</summary>
    void OnSessionEnded(SshServerSession session, Exception? error)
    {
    }
}
