using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Connection;

/// <summary>Encoded terminal modes from a pty-req (RFC 4254 §8): opcode/value pairs, kept raw for pass-through.</summary>
public sealed class TerminalModes
{
    private const byte TtyOpEnd = 0;
    private const byte FirstUndefinedOpcode = 160;
    private const int MaxModes = 256;

    private TerminalModes(byte[] encoded, IReadOnlyList<(byte Opcode, uint Value)> modes)
    {
        Encoded = encoded;
        Modes = modes;
    }

    public static TerminalModes Empty { get; } = new([TtyOpEnd], []);

    /// <summary>The modes exactly as received, to forward unchanged to a target.</summary>
    public byte[] Encoded { get; }

    public IReadOnlyList<(byte Opcode, uint Value)> Modes { get; }

    /// <summary>The value of a mode, e.g. opcode 53 = ECHO, or null when absent.</summary>
    public uint? this[byte opcode] => Modes.FirstOrDefault(m => m.Opcode == opcode) is var (op, value) && op == opcode ? value : null;

    public static TerminalModes Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new SshReader(encoded);
        var modes = new List<(byte, uint)>();
        while (!reader.AtEnd)
        {
            byte opcode = reader.ReadByte();
            // Opcodes 160..255 are undefined and stop parsing (RFC 4254 §8); TTY_OP_END ends the list.
            if (opcode == TtyOpEnd || opcode >= FirstUndefinedOpcode) break;
            uint value = reader.ReadUInt32();
            if (modes.Count >= MaxModes) throw SshProtocolException.Malformed("terminal modes: too many");
            modes.Add((opcode, value));
        }
        return new TerminalModes(encoded.ToArray(), modes);
    }

    /// <summary>Well-known opcodes by name (RFC 4254 §8).</summary>
    public static class Opcode
    {
        public const byte VINTR = 1;
        public const byte VERASE = 3;
        public const byte ISIG = 50;
        public const byte ICANON = 51;
        public const byte ECHO = 53;
        public const byte TTY_OP_ISPEED = 128;
        public const byte TTY_OP_OSPEED = 129;
    }
}
