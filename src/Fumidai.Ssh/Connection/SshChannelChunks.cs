using System.Buffers;

namespace Fumidai.Ssh.Connection;

/// <summary>Consumes a channel's incoming data a chunk at a time, holding a pooled buffer only while a chunk is in hand.</summary>
public static class SshChannelChunks
{
    /// <summary>The most a chunk holds: two of the largest data packets we accept.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Hands each chunk of the channel's data (with <paramref name="extended"/>, its stderr) to <paramref name="consume"/>
    /// until EOF and returns the bytes consumed. With <see cref="SshChannel.DeferCredit"/> set, the peer's window is
    /// credited only after <paramref name="consume"/> has finished with a chunk, so a slow consumer slows this sender.
    /// </summary>
    /// <remarks>
    /// A quiet channel waits without a buffer: one is rented once data is there and returned before the next wait, which
    /// is what keeps thousands of idle relays small. The chunk is valid only until <paramref name="consume"/> completes.
    /// </remarks>
    public static async Task<long> ConsumeAsync(this SshChannel channel, bool extended,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> consume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(consume);
        long total = 0;
        while (extended
                   ? await channel.WaitToReadExtendedAsync(cancellationToken).ConfigureAwait(false)
                   : await channel.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                int read = extended
                    ? await channel.ReadExtendedAsync(buffer, cancellationToken).ConfigureAwait(false)
                    : await channel.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                await consume(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (channel.DeferCredit) await channel.ReturnWindowAsync(read, cancellationToken).ConfigureAwait(false);
                total += read;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return total;
    }
}
