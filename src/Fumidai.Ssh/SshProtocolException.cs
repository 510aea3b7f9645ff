namespace Fumidai.Ssh;

/// <summary>A protocol violation by the peer; ends the connection with the given disconnect reason.</summary>
/// <remarks>Messages must never contain secrets: they are logged and may be sent to the peer.</remarks>
public sealed class SshProtocolException : Exception
{
    public SshProtocolException(DisconnectReason reason, string message) : base(message) => Reason = reason;

    public SshProtocolException(DisconnectReason reason, string message, Exception inner) : base(message, inner) => Reason = reason;

    public DisconnectReason Reason { get; }

    internal static SshProtocolException Malformed(string what) => new(DisconnectReason.ProtocolError, "malformed " + what);
}
