using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Framing;

/// <summary>Reads binary packets (RFC 4253 §6) from a stream: decrypts, authenticates, checks lengths and padding.</summary>
/// <remarks>
/// Owns one receive buffer; a returned payload stays valid only until the next <see cref="ReadPacketAsync"/>.
/// While no bytes are pending the buffer goes back to the pool and the reader waits with a zero-byte read, so an idle
/// connection holds no receive buffer (so a node can hold thousands of idle connections).
/// </remarks>
internal sealed class PacketReader : IDisposable
{
    private const int InitialBufferSize = 8 * 1024;
    private readonly Stream _stream;
    private readonly bool _zeroByteReads;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public PacketReader(Stream stream, ReadOnlyMemory<byte> alreadyRead = default)
    {
        _stream = stream;
        _zeroByteReads = stream is NetworkStream;
        if (!alreadyRead.IsEmpty)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialBufferSize, alreadyRead.Length));
            alreadyRead.CopyTo(_buffer);
            _end = alreadyRead.Length;
        }
    }

    public PacketCipher Cipher { get; set; } = NoneCipher.Instance;

    /// <summary>Sequence number of the next packet to be read (wraps at 2^32; reset on NEWKEYS under strict kex).</summary>
    public uint SequenceNumber { get; set; }

    /// <summary>Bytes read since the counter was last reset by the key exchange (rekey trigger).</summary>
    public long BytesSinceRekey { get; set; }

    /// <summary>Reads and opens the next packet; returns its payload and the sequence number it carried.</summary>
    /// <remarks>
    /// The pooling builder matters here: on an interactive session nearly every packet waits for the socket, and a
    /// boxed state machine per await was most of what a busy node allocated (and so most of its GC).
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ReadOnlyMemory<byte> Payload, uint SequenceNumber)> ReadPacketAsync(CancellationToken cancellationToken)
    {
        var cipher = Cipher;
        int prefixSize = cipher.LengthPrefixSize;
        await FillAsync(prefixSize, cancellationToken).ConfigureAwait(false);
        uint seq = SequenceNumber;
        uint packetLength = cipher.DecryptLength(seq, _buffer.AsSpan(_start, prefixSize));
        if (packetLength > SshLimits.MaxPacketLength || packetLength < 5)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"packet length {packetLength} out of range");
        int aligned = cipher.LengthOutsidePadding ? (int)packetLength : (int)packetLength + 4;
        if (aligned % cipher.BlockSize != 0)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "packet length not a multiple of the cipher block size");
        int total = 4 + (int)packetLength + cipher.TagLength;
        if (total < prefixSize)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "packet shorter than one cipher block");
        await FillAsync(total, cancellationToken).ConfigureAwait(false);
        var packet = _buffer.AsSpan(_start, 4 + (int)packetLength);
        var tag = _buffer.AsSpan(_start + 4 + (int)packetLength, cipher.TagLength);
        if (!cipher.Open(seq, packet, tag))
            throw new SshProtocolException(DisconnectReason.MacError, "message authentication failed");
        int padding = packet[4];
        int payloadLength = (int)packetLength - 1 - padding;
        if (padding < 4 || payloadLength < 1)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "invalid padding length");
        var payload = _buffer.AsMemory(_start + 5, payloadLength);
        _start += total;
        SequenceNumber = seq + 1;
        BytesSinceRekey += total;
        return (payload, seq);
    }

    /// <summary>Ensures at least <paramref name="count"/> bytes are buffered from <c>_start</c>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_buffer is not null && _end - _start >= count) return;
        if (_buffer is not null && _start == _end)
        {
            ReturnBuffer();
        }
        if (_buffer is null)
        {
            if (_zeroByteReads)
            {
                // Wait for data without holding a buffer: idle connections cost no receive memory.
                await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialBufferSize, count));
            _start = _end = 0;
        }
        if (_buffer.Length - _start < count)
        {
            // Move pending bytes to the front of a buffer large enough for the whole packet.
            var next = _buffer.Length < count ? ArrayPool<byte>.Shared.Rent(count) : _buffer;
            int pending = _end - _start;
            Buffer.BlockCopy(_buffer, _start, next, 0, pending);
            if (!ReferenceEquals(next, _buffer)) Return(_buffer, _end);
            else _buffer.AsSpan(pending, _end - pending).Clear(); // what lay past the moved bytes is wiped on return only up to _end
            _buffer = next;
            _end = pending;
            _start = 0;
        }
        while (_end - _start < count)
        {
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new SshConnectionLostException("connection closed by peer");
            _end += read;
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        Return(_buffer, _end);
        _buffer = null;
        _start = _end = 0;
    }

    /// <summary>Wipes the decrypted bytes before the buffer goes back: only the used prefix, not the whole rented array.</summary>
    /// <remarks>Clearing all 8 KiB per keystroke packet (the buffer goes back whenever it is drained) cost more than the packet.</remarks>
    private static void Return(byte[] buffer, int used)
    {
        buffer.AsSpan(0, used).Clear();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public void Dispose()
    {
        ReturnBuffer();
        if (!ReferenceEquals(Cipher, NoneCipher.Instance)) Cipher.Dispose();
    }
}
