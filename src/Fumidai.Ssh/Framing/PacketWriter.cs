using System.Buffers.Binary;
using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Framing;

/// <summary>Frames payloads into binary packets (RFC 4253 §6): padding, sealing, sequence numbers.</summary>
/// <remarks>Not thread-safe: the transport serialises writers with its write lock.</remarks>
internal sealed class PacketWriter : IDisposable
{
    private readonly Stream _stream;

    public PacketWriter(Stream stream) => _stream = stream;

    public PacketCipher Cipher { get; set; } = NoneCipher.Instance;

    /// <summary>Sequence number of the next packet to be sent.</summary>
    public uint SequenceNumber { get; set; }

    /// <summary>Bytes sent since the counter was last reset by the key exchange (rekey trigger).</summary>
    public long BytesSinceRekey { get; set; }

    /// <summary>Seals the payload held by <paramref name="message"/> (created with <see cref="SshWriter.ForPacket"/>) and writes it.</summary>
    public ValueTask WritePacketAsync(SshWriter message, CancellationToken cancellationToken)
    {
        int length = Seal(message);
        BytesSinceRekey += length;
        return _stream.WriteAsync(message.RawBuffer.AsMemory(0, length), cancellationToken);
    }

    /// <summary>Frames and seals in place; returns the number of bytes to send from the start of the raw buffer.</summary>
    internal int Seal(SshWriter message)
    {
        if (message.ReservedHeader != SshWriter.PacketHeaderSize)
            throw new InvalidOperationException("message was not created with SshWriter.ForPacket");
        var cipher = Cipher;
        int payloadLength = message.Length;
        int blockSize = cipher.BlockSize;
        int aligned = (cipher.LengthOutsidePadding ? 1 : 5) + payloadLength;
        int padding = blockSize - (aligned % blockSize);
        if (padding < 4) padding += blockSize;
        int packetLength = 1 + payloadLength + padding;
        if (packetLength > SshLimits.MaxPacketLength)
            throw new InvalidOperationException($"payload of {payloadLength} bytes exceeds the packet limit");
        RandomNumberGenerator.Fill(message.GetSpan(padding + cipher.TagLength)[..padding]);
        message.Advance(padding + cipher.TagLength);
        var raw = message.RawBuffer;
        BinaryPrimitives.WriteUInt32BigEndian(raw, (uint)packetLength);
        raw[4] = (byte)padding;
        int total = 4 + packetLength;
        uint seq = SequenceNumber;
        cipher.Seal(seq, raw.AsSpan(0, total), raw.AsSpan(total, cipher.TagLength));
        // Under the none cipher (before the first NEWKEYS) only key-exchange messages travel, none of them secret.
        message.Sealed = true;
        SequenceNumber = seq + 1;
        return total + cipher.TagLength;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => new(_stream.FlushAsync(cancellationToken));

    public void Dispose()
    {
        if (!ReferenceEquals(Cipher, NoneCipher.Instance)) Cipher.Dispose();
    }
}
