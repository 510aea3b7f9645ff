using System.Buffers.Binary;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Cuts a byte stream into SFTP packets (uint32 length + body), whatever the chunking of the channel.</summary>
/// <remarks>Observation only: an absurd length stops the assembler for good and the relay goes on untouched.</remarks>
internal sealed class PacketAssembler
{
    private const int MaxPacket = 1024 * 1024;
    private readonly byte[] _header = new byte[4];
    private int _headerFilled;
    private byte[]? _body;
    private int _bodyFilled;

    public bool Broken { get; private set; }

    /// <summary>Feeds bytes; calls <paramref name="onPacket"/> for each complete packet body.</summary>
    public void Feed(ReadOnlySpan<byte> data, Action<byte[]> onPacket)
    {
        while (!data.IsEmpty && !Broken)
        {
            if (_body is null)
            {
                int take = Math.Min(4 - _headerFilled, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                data = data[take..];
                if (_headerFilled < 4) return;
                uint length = BinaryPrimitives.ReadUInt32BigEndian(_header);
                if (length is 0 or > MaxPacket)
                {
                    Broken = true;
                    return;
                }
                _body = new byte[length];
                _bodyFilled = 0;
                _headerFilled = 0;
            }
            int copy = Math.Min(_body.Length - _bodyFilled, data.Length);
            data[..copy].CopyTo(_body.AsSpan(_bodyFilled));
            _bodyFilled += copy;
            data = data[copy..];
            if (_bodyFilled == _body.Length)
            {
                var packet = _body;
                _body = null;
                onPacket(packet);
            }
        }
    }
}
