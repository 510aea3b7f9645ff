namespace Fumidai.Ssh.Connection;

/// <summary>A write on a channel the peer has already closed.</summary>
public sealed class SshChannelClosedException : Exception
{
    public SshChannelClosedException() : base("channel closed by peer")
    {
    }
}
