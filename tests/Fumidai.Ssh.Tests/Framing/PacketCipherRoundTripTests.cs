using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

public sealed class PacketCipherRoundTripTests
{
    public static TheoryData<string, string?> Pairs => TestPackets.AllPairs();

    private static readonly int[] PayloadSizes = [0, 1, 2, 7, 8, 11, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 4095, 16384, 32768, 65536];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Sealed_packets_open_to_the_same_bytes_in_sequence(string cipherName, string? macName)
    {
        var (sealer, opener) = TestPackets.CreatePair(cipherName, macName);
        using (sealer)
        using (opener)
        {
            var random = new Random(42);
            uint sequence = 3;
            foreach (int size in PayloadSizes)
            {
                byte[] payload = new byte[size];
                random.NextBytes(payload);
                byte[] plain = TestPackets.Build(sealer, payload, random);
                Assert.Equal(0, (plain.Length - (sealer.LengthOutsidePadding ? 4 : 0)) % sealer.BlockSize);

                byte[] wire = new byte[plain.Length + sealer.TagLength];
                plain.CopyTo(wire, 0);
                sealer.Seal(sequence, wire.AsSpan(0, plain.Length), wire.AsSpan(plain.Length));

                Assert.False(wire.AsSpan(5, plain.Length - 5).SequenceEqual(plain.AsSpan(5)), "body must be encrypted");
                bool lengthInClear = wire.AsSpan(0, 4).SequenceEqual(plain.AsSpan(0, 4));
                Assert.Equal(cipherName.Contains("gcm") || macName?.EndsWith("-etm@openssh.com") == true, lengthInClear);

                Assert.True(TestPackets.ReadBack(opener, sequence, wire, plain.Length, out uint length), $"open failed for payload {size}");
                Assert.Equal((uint)(plain.Length - 4), length);
                Assert.Equal(plain, wire.AsSpan(0, plain.Length).ToArray());
                sequence++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Any_flipped_bit_in_length_body_or_tag_fails_to_open(string cipherName, string? macName)
    {
        var random = new Random(7);
        byte[] payload = new byte[200];
        random.NextBytes(payload);
        foreach (string where in new[] { "length", "body", "last", "tag" })
        {
            var (sealer, opener) = TestPackets.CreatePair(cipherName, macName);
            using (sealer)
            using (opener)
            {
                byte[] plain = TestPackets.Build(sealer, payload, random);
                byte[] wire = new byte[plain.Length + sealer.TagLength];
                plain.CopyTo(wire, 0);
                sealer.Seal(9, wire.AsSpan(0, plain.Length), wire.AsSpan(plain.Length));

                int index = where switch
                {
                    "length" => 3,
                    "body" => plain.Length / 2,
                    "last" => plain.Length - 1,
                    _ => plain.Length + sealer.TagLength - 1,
                };
                wire[index] ^= 0x10;
                Assert.False(TestPackets.ReadBack(opener, 9, wire, plain.Length, out _), $"tampered {where} opened");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_packet_does_not_open_under_another_sequence_number(string cipherName, string? macName)
    {
        var (sealer, opener) = TestPackets.CreatePair(cipherName, macName);
        using (sealer)
        using (opener)
        {
            var random = new Random(3);
            byte[] plain = TestPackets.Build(sealer, new byte[40], random);
            byte[] wire = new byte[plain.Length + sealer.TagLength];
            plain.CopyTo(wire, 0);
            sealer.Seal(5, wire.AsSpan(0, plain.Length), wire.AsSpan(plain.Length));

            // GCM binds the packet to its invocation counter rather than to the sequence number: skip a packet instead.
            if (cipherName.Contains("gcm"))
            {
                byte[] skipped = TestPackets.Build(opener, new byte[8], random);
                byte[] skippedWire = new byte[skipped.Length + opener.TagLength];
                opener.Open(4, skippedWire.AsSpan(0, skipped.Length), skippedWire.AsSpan(skipped.Length));
                Assert.False(TestPackets.ReadBack(opener, 5, wire, plain.Length, out _));
            }
            else
            {
                Assert.False(TestPackets.ReadBack(opener, 6, wire, plain.Length, out _));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Seal_and_open_allocate_nothing_per_packet(string cipherName, string? macName)
    {
        var (sealer, opener) = TestPackets.CreatePair(cipherName, macName);
        using (sealer)
        using (opener)
        {
            var random = new Random(11);
            byte[] plain = TestPackets.Build(sealer, new byte[32 * 1024], random);
            byte[] wire = new byte[plain.Length + sealer.TagLength];
            int length = plain.Length;

            void OnePacket(uint sequence)
            {
                plain.CopyTo(wire, 0);
                sealer.Seal(sequence, wire.AsSpan(0, length), wire.AsSpan(length));
                opener.DecryptLength(sequence, wire.AsSpan(0, opener.LengthPrefixSize));
                if (!opener.Open(sequence, wire.AsSpan(0, length), wire.AsSpan(length, opener.TagLength)))
                {
                    throw new InvalidOperationException("open failed");
                }
            }

            for (uint i = 0; i < 50; i++)
            {
                OnePacket(i);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (uint i = 50; i < 150; i++)
            {
                OnePacket(i);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_disposed_cipher_refuses_to_work(string cipherName, string? macName)
    {
        var (sealer, opener) = TestPackets.CreatePair(cipherName, macName);
        opener.Dispose();
        sealer.Dispose();
        sealer.Dispose();
        byte[] packet = new byte[64 + sealer.TagLength];
        Assert.Throws<ObjectDisposedException>(() => sealer.Seal(0, packet.AsSpan(0, 64), packet.AsSpan(64)));
    }
}
