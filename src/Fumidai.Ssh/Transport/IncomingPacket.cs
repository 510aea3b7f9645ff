namespace Fumidai.Ssh.Transport;

/// <summary>A received message for the layers above the transport; the payload is valid until the next receive.</summary>
public readonly record struct IncomingPacket(ReadOnlyMemory<byte> Payload, uint SequenceNumber)
{
    public Wire.MessageNumber Message => (Wire.MessageNumber)Payload.Span[0];
}
