namespace Fumidai.Ssh.Connection;

/// <summary>The peer refused to open a channel.</summary>
public sealed class SshChannelOpenException : Exception
{
    public SshChannelOpenException(ChannelOpenFailureReason reason, string description)
        : base($"channel open refused ({reason}): {description}") => Reason = reason;

    public ChannelOpenFailureReason Reason { get; }
}
