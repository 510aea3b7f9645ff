using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Connection.Requests;

/// <summary>Decodes and encodes the type-specific data of channel requests.</summary>
public static class ChannelRequestCodec
{
    private const int MaxCommandLength = 256 * 1024;
    private const int MaxValueLength = 64 * 1024;

    /// <summary>Decodes from just after the <c>want reply</c> boolean.</summary>
    public static ChannelRequest Decode(string type, bool wantReply, ref SshReader reader)
    {
        ChannelRequest request = type switch
        {
            "pty-req" => new PtyRequest(wantReply, reader.ReadString(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(),
                reader.ReadUInt32(), TerminalModes.Decode(reader.ReadBinary(16 * 1024))),
            "env" => new EnvRequest(wantReply, reader.ReadString(), reader.ReadString(MaxValueLength)),
            "shell" => new ShellRequest(wantReply),
            "exec" => new ExecRequest(wantReply, reader.ReadString(MaxCommandLength)),
            "subsystem" => new SubsystemRequest(wantReply, reader.ReadString()),
            "window-change" => new WindowChangeRequest(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32()),
            "signal" => new SignalRequest(reader.ReadString()),
            "break" => new BreakRequest(wantReply, reader.ReadUInt32()),
            "exit-status" => new ExitStatusRequest(reader.ReadUInt32()),
            "exit-signal" => new ExitSignalRequest(reader.ReadString(), reader.ReadBoolean(), reader.ReadString(MaxValueLength)),
            "eow@openssh.com" => new EndOfWriteRequest(),
            "x11-req" or "auth-agent-req@openssh.com" or "auth-agent-req" => new ForwardingChannelRequest(type, wantReply),
            _ => new UnknownChannelRequest(type, wantReply),
        };
        if (request is ExitSignalRequest) reader.ReadString(); // language tag
        if (request is ForwardingChannelRequest or UnknownChannelRequest) reader.ReadRaw(reader.Remaining);
        reader.EnsureEnd("channel request " + type);
        return request;
    }

    /// <summary>Writes the type-specific data after <c>want reply</c>.</summary>
    public static void EncodeData(ChannelRequest request, SshWriter writer)
    {
        switch (request)
        {
            case PtyRequest p:
                writer.WriteString(p.Term);
                writer.WriteUInt32(p.Columns);
                writer.WriteUInt32(p.Rows);
                writer.WriteUInt32(p.WidthPixels);
                writer.WriteUInt32(p.HeightPixels);
                writer.WriteBinary(p.Modes.Encoded);
                break;
            case EnvRequest e:
                writer.WriteString(e.Name);
                writer.WriteString(e.Value);
                break;
            case ExecRequest x:
                writer.WriteString(x.Command);
                break;
            case SubsystemRequest s:
                writer.WriteString(s.Name);
                break;
            case WindowChangeRequest w:
                writer.WriteUInt32(w.Columns);
                writer.WriteUInt32(w.Rows);
                writer.WriteUInt32(w.WidthPixels);
                writer.WriteUInt32(w.HeightPixels);
                break;
            case SignalRequest g:
                writer.WriteString(g.Name);
                break;
            case BreakRequest b:
                writer.WriteUInt32(b.LengthMilliseconds);
                break;
            case ExitStatusRequest x:
                writer.WriteUInt32(x.ExitStatus);
                break;
            case ExitSignalRequest x:
                writer.WriteString(x.SignalName);
                writer.WriteBoolean(x.CoreDumped);
                writer.WriteString(x.ErrorMessage);
                writer.WriteString("");
                break;
        }
    }
}
