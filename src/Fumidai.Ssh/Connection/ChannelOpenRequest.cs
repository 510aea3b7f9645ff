namespace Fumidai.Ssh.Connection;

/// <summary>A CHANNEL_OPEN (RFC 4254 §5.1) as the application sees it.</summary>
public record ChannelOpenRequest(string ChannelType);

/// <summary><c>direct-tcpip</c> or <c>forwarded-tcpip</c> (RFC 4254 §7.2): where to connect and who asked.</summary>
public sealed record TcpipChannelOpenRequest(string ChannelType, string Host, uint Port, string OriginatorAddress, uint OriginatorPort)
    : ChannelOpenRequest(ChannelType);
