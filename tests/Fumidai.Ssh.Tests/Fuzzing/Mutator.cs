using System.Buffers.Binary;

namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>Derives malformed inputs from valid seeds: bit flips, byte inserts and deletes, length-field overwrites, truncation, splicing.</summary>
/// <remarks>Deterministic for a given <see cref="Random"/>, so a failing input can be reproduced from the run's seed.</remarks>
public sealed class Mutator
{
    /// <summary>Values that break length arithmetic: zero, one, sign bit, all ones, just over the 256 KiB packet cap.</summary>
    private static readonly uint[] InterestingLengths =
    [
        0, 1, 3, 4, 5, 7, 8, 15, 16, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
        0x3ffff, 0x40000, 0x40001, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffb, 0xfffffffc, 0xfffffffe, 0xffffffff,
    ];

    private readonly Random _random;

    public Mutator(Random random) => _random = random;

    /// <summary>Applies one to four stacked mutations to a copy of <paramref name="seed"/>.</summary>
    public byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(seed);
        int rounds = 1 + _random.Next(4);
        for (int i = 0; i < rounds; i++) MutateOnce(data, corpus);
        return data.ToArray();
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        switch (_random.Next(9))
        {
            case 0 when data.Count > 0:
            {
                int bit = _random.Next(data.Count * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            }
            case 1 when data.Count > 0:
                data[_random.Next(data.Count)] = (byte)(_random.Next(4) switch { 0 => 0, 1 => 0xff, 2 => 0x7f, _ => 0x80 });
                break;
            case 2:
            {
                var insert = new byte[1 + _random.Next(16)];
                _random.NextBytes(insert);
                data.InsertRange(_random.Next(data.Count + 1), insert);
                break;
            }
            case 3 when data.Count > 0:
            {
                int start = _random.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + _random.Next(16)));
                break;
            }
            case 4 or 5 when data.Count >= 4:
                OverwriteLength(data);
                break;
            case 6 when data.Count > 0:
                Truncate(data);
                break;
            case 7 when corpus.Count > 0:
            {
                // Splice: our prefix followed by another seed's suffix, so fields from different messages meet.
                var other = corpus[_random.Next(corpus.Count)];
                int cut = _random.Next(data.Count + 1);
                int from = _random.Next(other.Length + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            }
            case 8 when data.Count > 0:
            {
                // Duplicate a chunk: repeated fields and repeated packets.
                int start = _random.Next(data.Count);
                int length = Math.Min(data.Count - start, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                break;
            }
            default:
                if (data.Count > 0) data[_random.Next(data.Count)] = (byte)_random.Next(256);
                else data.Add((byte)_random.Next(256));
                break;
        }
    }

    private void Truncate(List<byte> data)
    {
        int keep = _random.Next(data.Count);
        data.RemoveRange(keep, data.Count - keep);
    }

    /// <summary>Overwrites a uint32, preferring positions that already hold a plausible length (a string or packet length).</summary>
    private void OverwriteLength(List<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        int position = -1;
        if (_random.Next(3) != 0)
        {
            var candidates = new List<int>();
            for (int i = 0; i + 4 <= data.Count; i++)
            {
                uint value = (uint)(data[i] << 24 | data[i + 1] << 16 | data[i + 2] << 8 | data[i + 3]);
                if (value <= data.Count - i - 4 && value > 0) candidates.Add(i);
            }
            if (candidates.Count > 0) position = candidates[_random.Next(candidates.Count)];
        }
        if (position < 0) position = _random.Next(data.Count - 3);
        uint old = (uint)(data[position] << 24 | data[position + 1] << 16 | data[position + 2] << 8 | data[position + 3]);
        uint next = _random.Next(4) switch
        {
            0 => old + 1,
            1 => old - 1,
            2 => (uint)_random.NextInt64(0, 1L << 32),
            _ => InterestingLengths[_random.Next(InterestingLengths.Length)],
        };
        BinaryPrimitives.WriteUInt32BigEndian(field, next);
        for (int i = 0; i < 4; i++) data[position + i] = field[i];
    }
}
