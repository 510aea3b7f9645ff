using System.Buffers;
using System.Numerics;

namespace Fumidai.Ssh.Connection;

/// <summary>The process's pool of channel pipe segments: a bounded stack per power-of-two size, shared by all threads.</summary>
/// <remarks>
/// An interactive channel rents a segment for each keystroke's packet and returns it once the relay has read it, on
/// another thread. Through <see cref="ArrayPool{T}.Shared"/> the returned arrays mostly stayed in the returning
/// threads' local slots while the renting thread found its own and the per-core stacks empty, so a busy node allocated
/// a fresh 32–64 KiB array per keystroke (the largest share of its CPU went to allocating and collecting them). Here
/// any thread gets back what any other returned. Owners are pooled with their arrays, so a rent allocates nothing.
/// </remarks>
internal sealed class ChannelSegmentPool : MemoryPool<byte>
{
    /// <summary>Segments kept per size: 64 MiB at 64 KiB, enough for every pipe of a node's busy sessions at once.</summary>
    private const int MaxRetainedPerSize = 1024;
    private const int MinimumSize = 4096;

    public static readonly ChannelSegmentPool Instance = new();

    private readonly Stack<Segment>[] _free = Enumerable.Range(0, 32).Select(_ => new Stack<Segment>()).ToArray();

    public override int MaxBufferSize => 1 << 30;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minBufferSize, MinimumSize));
        int bucket = BitOperations.Log2((uint)size);
        var stack = _free[bucket];
        Segment? segment;
        lock (stack) stack.TryPop(out segment);
        segment ??= new Segment(this, GC.AllocateUninitializedArray<byte>(size), bucket);
        segment.Rented = true;
        return segment;
    }

    private void Return(Segment segment)
    {
        var stack = _free[segment.Bucket];
        lock (stack)
        {
            if (stack.Count < MaxRetainedPerSize) stack.Push(segment);
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the process's lifetime.
    }

    private sealed class Segment(ChannelSegmentPool pool, byte[] array, int bucket) : IMemoryOwner<byte>
    {
        public int Bucket { get; } = bucket;

        public bool Rented { get; set; }

        public Memory<byte> Memory => Rented ? array : throw new ObjectDisposedException(nameof(Segment));

        public void Dispose()
        {
            // Once only: a second return would hand the same array to two pipes.
            if (!Rented) return;
            Rented = false;
            pool.Return(this);
        }
    }
}
