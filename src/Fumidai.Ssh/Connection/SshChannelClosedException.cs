namespace Fumidai.Ssh.Connection;

/// <summary>Use of a channel that is gone: closed by the peer or by us, or its output already ended with EOF.</summary>
/// <remarks>The one exception callers catch for "the channel went away"; a lost connection is <see cref="SshConnectionLostException"/>.</remarks>
public sealed class SshChannelClosedException : Exception
{
    public SshChannelClosedException() : base("channel closed by peer")
    {
    }

    public SshChannelClosedException(string message) : base(message)
    {
    }

    public SshChannelClosedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
