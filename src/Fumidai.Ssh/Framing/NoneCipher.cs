using System.Buffers.Binary;

namespace Fumidai.Ssh.Framing;

/// <summary>The "none" cipher and MAC in force before the first NEWKEYS.</summary>
internal sealed class NoneCipher : PacketCipher
{
    public static readonly NoneCipher Instance = new();

    public override int BlockSize => 8;

    public override int TagLength => 0;

    public override bool LengthOutsidePadding => false;

    public override uint DecryptLength(uint sequenceNumber, Span<byte> prefix) => BinaryPrimitives.ReadUInt32BigEndian(prefix);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag) => true;

    protected override void Dispose(bool disposing)
    {
        // Shared singleton: nothing to release.
        base.Dispose(disposing);
    }
}
