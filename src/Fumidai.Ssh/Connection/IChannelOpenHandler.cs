namespace Fumidai.Ssh.Connection;

/// <summary>Decides the peer's CHANNEL_OPEN requests (server role: sessions, direct-tcpip).</summary>
public interface IChannelOpenHandler
{
    ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken);
}
