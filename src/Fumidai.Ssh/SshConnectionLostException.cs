namespace Fumidai.Ssh;

/// <summary>The peer closed the TCP connection, or sent SSH_MSG_DISCONNECT.</summary>
public sealed class SshConnectionLostException : Exception
{
    public SshConnectionLostException(string message) : base(message)
    {
    }

    public SshConnectionLostException(DisconnectReason reason, string description)
        : base($"peer disconnected ({reason}): {description}") => Reason = reason;

    /// <summary>When the socket closed before the peer's SSH version line: the first line it sent instead (printable
    /// characters only, shortened), empty when it sent nothing. Null once versions were exchanged.</summary>
    public string? InsteadOfVersion { get; init; }

    /// <summary>The reason the peer gave, or <see cref="DisconnectReason.ConnectionLost"/> when the socket closed.</summary>
    public DisconnectReason Reason { get; } = DisconnectReason.ConnectionLost;
}
