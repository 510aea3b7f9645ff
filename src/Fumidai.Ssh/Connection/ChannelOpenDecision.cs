namespace Fumidai.Ssh.Connection;

/// <summary>The application's answer to a CHANNEL_OPEN: accept (with a callback that wires the channel up) or reject.</summary>
public sealed class ChannelOpenDecision
{
    private ChannelOpenDecision(Action<SshChannel>? onOpened, ChannelOpenFailureReason reason, string description)
    {
        OnOpened = onOpened;
        FailureReason = reason;
        Description = description;
    }

    /// <summary>Runs before the confirmation is sent, so handlers are in place before the peer's first request.</summary>
    public Action<SshChannel>? OnOpened { get; }

    public ChannelOpenFailureReason FailureReason { get; }

    public string Description { get; }

    public static ChannelOpenDecision Accept(Action<SshChannel> onOpened) => new(onOpened, 0, "");

    public static ChannelOpenDecision Reject(ChannelOpenFailureReason reason, string description) => new(null, reason, description);
}
