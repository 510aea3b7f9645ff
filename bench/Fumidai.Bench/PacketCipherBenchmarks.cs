using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Fumidai.Ssh.Framing;

namespace Fumidai.Bench;

/// <summary>Seals, and seals then opens, one 32 KiB binary packet with each negotiable cipher (CTR paired with an ETM MAC).</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class PacketCipherBenchmarks
{
    public const int PayloadLength = 32 * 1024;

    private PacketCipher _sealer = null!;
    private PacketCipher _opener = null!;
    private byte[] _buffer = null!;
    private int _packetLength;
    private uint _sequence;

    [Params("chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr+hmac-sha2-256-etm@openssh.com")]
    public string Cipher { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] names = Cipher.Split('+');
        if (!CipherAlgorithms.TryGet(names[0], out CipherAlgorithm? cipher))
        {
            throw new InvalidOperationException($"unknown cipher {names[0]}");
        }

        MacAlgorithm? mac = null;
        if (names.Length > 1 && !MacAlgorithms.TryGet(names[1], out mac))
        {
            throw new InvalidOperationException($"unknown MAC {names[1]}");
        }

        var random = new Random(1);
        byte[] key = new byte[cipher.KeyLength];
        byte[] iv = new byte[cipher.IvLength];
        byte[] macKey = new byte[mac?.KeyLength ?? 0];
        random.NextBytes(key);
        random.NextBytes(iv);
        random.NextBytes(macKey);
        _sealer = cipher.Create(key, iv, mac, macKey, forSealing: true);
        _opener = cipher.Create(key, iv, mac, macKey, forSealing: false);

        // padding_length‖payload‖padding aligned to the block size, as the framing layer will lay it out.
        int body = 1 + PayloadLength;
        int padding = _sealer.BlockSize - body % _sealer.BlockSize;
        if (padding < 4)
        {
            padding += _sealer.BlockSize;
        }

        _packetLength = 4 + body + padding;
        _buffer = new byte[_packetLength + _sealer.TagLength];
        random.NextBytes(_buffer);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(_buffer, (uint)(_packetLength - 4));
        _buffer[4] = (byte)padding;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    [Benchmark]
    public void Seal() => _sealer.Seal(_sequence++, _buffer.AsSpan(0, _packetLength), _buffer.AsSpan(_packetLength));

    /// <summary>One packet through both ends; the opener's state (GCM counter, CTR stream) stays in step with the sealer's.</summary>
    [Benchmark]
    public bool SealThenOpen()
    {
        uint sequence = _sequence++;
        Span<byte> packet = _buffer.AsSpan(0, _packetLength);
        _sealer.Seal(sequence, packet, _buffer.AsSpan(_packetLength));
        _opener.DecryptLength(sequence, packet[.._opener.LengthPrefixSize]);
        return _opener.Open(sequence, packet, _buffer.AsSpan(_packetLength, _opener.TagLength))
            ? true
            : throw new InvalidOperationException("packet did not open");
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new ThroughputColumn(PayloadLength));
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(48);
        }
    }
}
