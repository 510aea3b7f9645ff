using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Transport;

/// <summary>SSH_MSG_KEXINIT (RFC 4253 §7.1).</summary>
internal sealed record KexInitMessage(
    string[] KexAlgorithms,
    string[] ServerHostKeyAlgorithms,
    string[] EncryptionClientToServer,
    string[] EncryptionServerToClient,
    string[] MacClientToServer,
    string[] MacServerToClient,
    string[] CompressionClientToServer,
    string[] CompressionServerToClient,
    bool FirstKexPacketFollows)
{
    public static KexInitMessage Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        if (reader.ReadMessageNumber() != MessageNumber.KexInit) throw SshProtocolException.Malformed("KEXINIT");
        reader.ReadRaw(16);
        var message = new KexInitMessage(
            reader.ReadNameList(), reader.ReadNameList(), reader.ReadNameList(), reader.ReadNameList(),
            reader.ReadNameList(), reader.ReadNameList(), reader.ReadNameList(), reader.ReadNameList(),
            FirstKexPacketFollows: false);
        reader.ReadNameList(); // languages client to server: ignored (RFC 4253 allows empty)
        reader.ReadNameList(); // languages server to client
        bool follows = reader.ReadBoolean();
        reader.ReadUInt32(); // reserved
        return message with { FirstKexPacketFollows = follows };
    }

    /// <summary>Encodes with a fresh random cookie; the exact bytes enter the exchange hash, so callers keep them.</summary>
    public byte[] Encode()
    {
        using var writer = new SshWriter(1024);
        writer.WriteMessageNumber(MessageNumber.KexInit);
        RandomNumberGenerator.Fill(writer.GetSpan(16));
        writer.Advance(16);
        writer.WriteNameList(KexAlgorithms);
        writer.WriteNameList(ServerHostKeyAlgorithms);
        writer.WriteNameList(EncryptionClientToServer);
        writer.WriteNameList(EncryptionServerToClient);
        writer.WriteNameList(MacClientToServer);
        writer.WriteNameList(MacServerToClient);
        writer.WriteNameList(CompressionClientToServer);
        writer.WriteNameList(CompressionServerToClient);
        writer.WriteNameList([]);
        writer.WriteNameList([]);
        writer.WriteBoolean(FirstKexPacketFollows);
        writer.WriteUInt32(0);
        return writer.WrittenSpan.ToArray();
    }
}
