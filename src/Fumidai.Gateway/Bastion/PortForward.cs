using System.Buffers;
using Fumidai.Gateway.Audit;
using Fumidai.Ssh;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>Carries one forwarded TCP connection (-L, -D, -W) between the operator's channel and a target's direct-tcpip.</summary>
/// <remarks>Bytes are not recorded (they are not a terminal); the forward and its byte counts are audited.</remarks>
public static class PortForward
{
    private const int BufferSize = 32 * 1024;

    public static async Task RelayAsync(SshChannel operatorChannel, SshChannel targetChannel, AuditLog audit, string user, string source,
        string target, string destination)
    {
        operatorChannel.DeferCredit = true;
        targetChannel.DeferCredit = true;
        var up = CopyAsync(operatorChannel, targetChannel);
        var down = CopyAsync(targetChannel, operatorChannel);
        long sent = 0, received = 0;
        try
        {
            var results = await Task.WhenAll(up, down).ConfigureAwait(false);
            (sent, received) = (results[0], results[1]);
        }
        finally
        {
            await CloseQuietlyAsync(operatorChannel).ConfigureAwait(false);
            await CloseQuietlyAsync(targetChannel).ConfigureAwait(false);
            await audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Success, user, source, target, new Dictionary<string, string>
            {
                ["destination"] = destination,
                ["bytes_in"] = sent.ToString(),
                ["bytes_out"] = received.ToString(),
                ["state"] = "closed",
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Copies until EOF, then passes the EOF on; the source is credited after each write.</summary>
    private static async Task<long> CopyAsync(SshChannel from, SshChannel to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, from.ClosingToken).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), to.ClosingToken).ConfigureAwait(false);
                await from.ReturnWindowAsync(read).ConfigureAwait(false);
                total += read;
            }
            await to.SendEofAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException)
        {
            // Either side went away: closing both below ends the forward.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total;
    }

    private static async Task CloseQuietlyAsync(SshChannel channel)
    {
        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
    }
}
