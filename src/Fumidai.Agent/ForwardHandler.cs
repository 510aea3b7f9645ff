using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Connection;

namespace Fumidai.Agent;

/// <summary>
/// The agent's answer to channels the bastion opens: the forward channel is joined to the agent's one forward address, and
/// everything else (sessions, port forwards to anywhere, X11) is refused, so the agent offers no shell and no other destination.
/// </summary>
internal sealed class ForwardHandler(DnsEndPoint forward, Action<string> log) : IChannelOpenHandler
{
    public async ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        if (request.ChannelType != AgentProtocol.ForwardChannel)
        {
            log($"refused a '{Printable(request.ChannelType)}' channel from the bastion: this agent only forwards to {forward.Host}:{forward.Port}");
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "the agent only forwards to its sshd");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(forward.Host, forward.Port, limit.Token).ConfigureAwait(false);
            socket.NoDelay = true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            log($"cannot connect to {forward.Host}:{forward.Port} for the bastion: {ex.Message}");
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.ConnectFailed, "the agent cannot reach its sshd");
        }
        var local = new NetworkStream(socket, ownsSocket: true);
        return ChannelOpenDecision.Accept(channel => _ = RelayAsync(channel, local));
    }

    private static async Task RelayAsync(SshChannel channel, NetworkStream local)
    {
        var remote = new SshChannelStream(channel);
        try
        {
            var up = local.CopyToAsync(remote);
            var down = remote.CopyToAsync(local);
            // Either side ending ends both: an SSH connection has no use for a half-closed stream.
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or Fumidai.Ssh.SshConnectionLostException
            or SshChannelClosedException or OperationCanceledException)
        {
        }
        finally
        {
            await local.DisposeAsync().ConfigureAwait(false);
            await remote.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Printable(string text) => new(text.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
