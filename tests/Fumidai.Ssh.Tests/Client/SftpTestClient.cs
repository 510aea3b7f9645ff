using System.Buffers.Binary;
using System.Text;
using Fumidai.Ssh.Client;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Just enough SFTP v3 (draft-ietf-secsh-filexfer-02) to put and get a file over a subsystem channel.</summary>
internal sealed class SftpTestClient(SshClientSession session)
{
    private const byte Init = 1, Version = 2, Open = 3, Close = 4, Read = 5, Write = 6, Status = 101, Handle = 102, Data = 103;
    private const uint ReadFlag = 0x01, WriteFlag = 0x02, CreateFlag = 0x08, TruncateFlag = 0x10;
    private const uint StatusOk = 0, StatusEof = 1;
    private const int ChunkSize = 32 * 1024;
    private uint _nextId;

    public async Task<uint> InitAsync(CancellationToken cancellationToken)
    {
        await SendAsync(Init, w => w.WriteUInt32(3), cancellationToken, withId: false);
        var (type, body) = await ReceiveAsync(cancellationToken);
        if (type != Version) throw new InvalidDataException("expected SSH_FXP_VERSION");
        return BinaryPrimitives.ReadUInt32BigEndian(body);
    }

    public async Task PutAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var handle = await OpenAsync(path, WriteFlag | CreateFlag | TruncateFlag, cancellationToken);
        for (int offset = 0; offset < content.Length; offset += ChunkSize)
        {
            int length = Math.Min(ChunkSize, content.Length - offset);
            int at = offset;
            await SendAsync(Write, w =>
            {
                w.WriteBinary(handle);
                w.WriteUInt64((ulong)at);
                w.WriteBinary(content.AsSpan(at, length));
            }, cancellationToken);
            ExpectStatus(await ReceiveAsync(cancellationToken), StatusOk);
        }
        await CloseAsync(handle, cancellationToken);
    }

    public async Task<byte[]> GetAsync(string path, CancellationToken cancellationToken)
    {
        var handle = await OpenAsync(path, ReadFlag, cancellationToken);
        var content = new MemoryStream();
        while (true)
        {
            ulong offset = (ulong)content.Length;
            await SendAsync(Read, w =>
            {
                w.WriteBinary(handle);
                w.WriteUInt64(offset);
                w.WriteUInt32(ChunkSize);
            }, cancellationToken);
            var (type, body) = await ReceiveAsync(cancellationToken);
            if (type == Status)
            {
                ExpectStatus((type, body), StatusEof);
                break;
            }
            if (type != Data) throw new InvalidDataException("expected SSH_FXP_DATA");
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(4));
            content.Write(body, 8, length);
        }
        await CloseAsync(handle, cancellationToken);
        return content.ToArray();
    }

    private async Task<byte[]> OpenAsync(string path, uint flags, CancellationToken cancellationToken)
    {
        await SendAsync(Open, w =>
        {
            w.WriteString(path);
            w.WriteUInt32(flags);
            w.WriteUInt32(0); // no attributes
        }, cancellationToken);
        var (type, body) = await ReceiveAsync(cancellationToken);
        if (type != Handle) throw new InvalidDataException($"open {path}: expected SSH_FXP_HANDLE, got {type}");
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(4));
        return body.AsSpan(8, length).ToArray();
    }

    private async Task CloseAsync(byte[] handle, CancellationToken cancellationToken)
    {
        await SendAsync(Close, w => w.WriteBinary(handle), cancellationToken);
        ExpectStatus(await ReceiveAsync(cancellationToken), StatusOk);
    }

    private static void ExpectStatus((byte Type, byte[] Body) reply, uint expected)
    {
        if (reply.Type != Status) throw new InvalidDataException($"expected SSH_FXP_STATUS, got {reply.Type}");
        uint code = BinaryPrimitives.ReadUInt32BigEndian(reply.Body.AsSpan(4));
        if (code != expected) throw new InvalidDataException($"SFTP status {code}, expected {expected}");
    }

    private async Task SendAsync(byte type, Action<Wire.SshWriter> body, CancellationToken cancellationToken, bool withId = true)
    {
        using var writer = new Wire.SshWriter(ChunkSize + 128);
        writer.WriteUInt32(0); // length, patched below
        writer.WriteByte(type);
        if (withId) writer.WriteUInt32(++_nextId);
        body(writer);
        var packet = writer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packet.Length - 4));
        await session.WriteAsync(packet, cancellationToken);
    }

    /// <summary>Reads one packet; returns its type and the rest (request id first, except for VERSION).</summary>
    private async Task<(byte Type, byte[] Body)> ReceiveAsync(CancellationToken cancellationToken)
    {
        var header = await ReadExactlyAsync(5, cancellationToken);
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < 1 || length > 256 * 1024) throw new InvalidDataException("SFTP packet length " + length);
        return (header[4], await ReadExactlyAsync(length - 1, cancellationToken));
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read = await session.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) throw new EndOfStreamException("sftp-server closed the channel: " + Encoding.UTF8.GetString(buffer, 0, filled));
            filled += read;
        }
        return buffer;
    }
}
