using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>The sk signature layout and the message a FIDO authenticator actually signs (PROTOCOL.u2f).</summary>
internal static class SkSignedMessage
{
    /// <summary>SHA256(application) || flags || counter || SHA256(data): what the authenticator signed.</summary>
    public static byte[] Build(string application, SkFlags flags, uint counter, ReadOnlySpan<byte> data)
    {
        var message = new byte[32 + 1 + 4 + 32];
        SHA256.HashData(Encoding.UTF8.GetBytes(application), message.AsSpan(0, 32));
        message[32] = (byte)flags;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(33, 4), counter);
        SHA256.HashData(data, message.AsSpan(37, 32));
        return message;
    }

    /// <summary>Splits <c>string algorithm, string signature, byte flags, uint32 counter</c>; false for anything malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, out string algorithm, out ReadOnlySpan<byte> signature, out SkSignatureInfo info)
    {
        algorithm = "";
        signature = default;
        info = default;
        if (blob.Length > SshSignature.MaxBlobLength) return false;
        try
        {
            var reader = new SshReader(blob);
            algorithm = reader.ReadString();
            signature = reader.ReadBinary(SshSignature.MaxBlobLength);
            var flags = (SkFlags)reader.ReadByte();
            uint counter = reader.ReadUInt32();
            info = new SkSignatureInfo(flags, counter);
            return reader.AtEnd;
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }

    /// <summary>Test and tooling helper: encodes an sk signature blob.</summary>
    public static byte[] Encode(string algorithm, ReadOnlySpan<byte> signature, SkSignatureInfo info)
    {
        using var writer = new SshWriter(signature.Length + 64);
        writer.WriteString(algorithm);
        writer.WriteBinary(signature);
        writer.WriteByte((byte)info.Flags);
        writer.WriteUInt32(info.Counter);
        return writer.WrittenSpan.ToArray();
    }
}
