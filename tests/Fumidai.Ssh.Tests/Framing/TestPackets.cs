using System.Buffers.Binary;
using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Tests.Framing;

/// <summary>Builds well-formed plaintext binary packets and cipher pairs for the framing tests.</summary>
internal static class TestPackets
{
    /// <summary>Every negotiable combination: AEAD ciphers alone, CTR ciphers with every MAC.</summary>
    public static TheoryData<string, string?> AllPairs()
    {
        var data = new TheoryData<string, string?>();
        foreach (string cipher in CipherAlgorithms.AllNames)
        {
            CipherAlgorithms.TryGet(cipher, out CipherAlgorithm? algorithm);
            if (algorithm!.IsAead)
            {
                data.Add(cipher, null);
                continue;
            }

            foreach (string mac in MacAlgorithms.AllNames)
            {
                data.Add(cipher, mac);
            }
        }

        return data;
    }

    /// <summary>A sealer and an opener sharing random keys, as both ends of one direction.</summary>
    public static (PacketCipher Sealer, PacketCipher Opener) CreatePair(string cipherName, string? macName, int seed = 1)
    {
        Assert.True(CipherAlgorithms.TryGet(cipherName, out CipherAlgorithm? cipher));
        MacAlgorithm? mac = null;
        if (macName is not null)
        {
            Assert.True(MacAlgorithms.TryGet(macName, out mac));
        }

        var random = new Random(seed);
        byte[] key = new byte[cipher.KeyLength];
        byte[] iv = new byte[cipher.IvLength];
        byte[] macKey = new byte[mac?.KeyLength ?? 0];
        random.NextBytes(key);
        random.NextBytes(iv);
        random.NextBytes(macKey);
        return (cipher.Create(key, iv, mac, macKey, forSealing: true), cipher.Create(key, iv, mac, macKey, forSealing: false));
    }

    /// <summary>uint32 packet_length, byte padding_length, payload, random padding (≥ 4 bytes), aligned as the cipher requires.</summary>
    public static byte[] Build(PacketCipher cipher, ReadOnlySpan<byte> payload, Random random)
    {
        int unpadded = 1 + payload.Length + (cipher.LengthOutsidePadding ? 0 : 4);
        int padding = cipher.BlockSize - unpadded % cipher.BlockSize;
        if (padding < 4)
        {
            padding += cipher.BlockSize;
        }

        byte[] packet = new byte[4 + 1 + payload.Length + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packet.Length - 4));
        packet[4] = (byte)padding;
        payload.CopyTo(packet.AsSpan(5));
        random.NextBytes(packet.AsSpan(5 + payload.Length));
        return packet;
    }

    /// <summary>Reads one packet the way the framing layer does: length prefix first, then the rest, then the tag.</summary>
    public static bool ReadBack(PacketCipher opener, uint sequenceNumber, byte[] wire, int packetLength, out uint decodedLength)
    {
        decodedLength = opener.DecryptLength(sequenceNumber, wire.AsSpan(0, opener.LengthPrefixSize));
        return opener.Open(sequenceNumber, wire.AsSpan(0, packetLength), wire.AsSpan(packetLength, opener.TagLength));
    }
}
