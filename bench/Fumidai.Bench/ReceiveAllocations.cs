using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Framing;

namespace Fumidai.Bench;

/// <summary>
/// Bytes allocated and GCs per received keystroke packet by <see cref="PacketReader"/> over a loopback TCP pair, one
/// packet at a time as an interactive session sends them, so every read waits for the socket.
/// </summary>
/// <remarks>
/// The sending side is a plain thread with synchronous span sends of packets sealed beforehand (chacha20-poly1305, a
/// CHANNEL_DATA of one byte), and the reader acknowledges each with a synchronous one-byte send: neither allocates, so
/// what <see cref="GC.GetTotalAllocatedBytes"/> counts is the reader's receive path and the socket engine under it.
/// </remarks>
internal static class ReceiveAllocations
{
    public static async Task RunAsync(int packets, int runs)
    {
        for (int run = 1; run <= runs; run++)
        {
            var (bytes, gcs, elapsed) = await MeasureAsync(packets);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"receive run {run}: {packets} packets, {bytes / (double)packets:F1} bytes allocated per packet, {gcs} gen0 GCs, {elapsed.TotalMicroseconds / packets:F1} µs per round trip"));
        }
    }

    private static async Task<(long Bytes, int Gcs, TimeSpan Elapsed)> MeasureAsync(int packets)
    {
        if (!CipherAlgorithms.TryGet("chacha20-poly1305@openssh.com", out CipherAlgorithm? algorithm))
            throw new InvalidOperationException("chacha20-poly1305 is missing");
        var key = new byte[algorithm.KeyLength];
        var iv = new byte[algorithm.IvLength];
        new Random(1).NextBytes(key);
        using var sealer = algorithm.Create(key, iv, null, [], forSealing: true);
        var opener = algorithm.Create(key, iv, null, [], forSealing: false);

        // CHANNEL_DATA(channel 0, one byte): 1 + 4 + 4 + 1 payload bytes, padded as the framing layer does.
        byte[] payload = [94, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'x'];
        int body = 1 + payload.Length;
        int padding = sealer.BlockSize - body % sealer.BlockSize;
        if (padding < 4) padding += sealer.BlockSize;
        int packetLength = 4 + body + padding;
        int wire = packetLength + sealer.TagLength;
        var stream = new byte[wire * packets];
        for (int i = 0; i < packets; i++)
        {
            var packet = stream.AsSpan(i * wire, wire);
            BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packetLength - 4));
            packet[4] = (byte)padding;
            payload.CopyTo(packet[5..]);
            sealer.Seal((uint)i, packet[..packetLength], packet[packetLength..]);
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        sender.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        accepted.NoDelay = true;
        using var network = new NetworkStream(accepted, ownsSocket: false);
        using var reader = new PacketReader(network) { Cipher = opener };

        var thread = new Thread(() =>
        {
            Span<byte> ack = stackalloc byte[1];
            for (int i = 0; i < packets; i++)
            {
                sender.Send(stream.AsSpan(i * wire, wire));
                if (sender.Receive(ack) != 1) return;
            }
        }) { IsBackground = true };

        // Warm up the JIT and the pools on a first tenth, then count.
        int warm = packets / 10;
        byte[] one = [1];
        thread.Start();
        for (int i = 0; i < warm; i++) await ReadOneAsync(reader, accepted, one);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        int gcBefore = GC.CollectionCount(0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = warm; i < packets; i++) await ReadOneAsync(reader, accepted, one);
        clock.Stop();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        thread.Join();
        return ((after - before) * packets / (packets - warm), GC.CollectionCount(0) - gcBefore, clock.Elapsed * packets / (packets - warm));
    }

    // Pooled, so the harness's own await adds nothing to the count.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ReadOneAsync(PacketReader reader, Socket socket, byte[] ack)
    {
        var (received, _) = await reader.ReadPacketAsync(CancellationToken.None).ConfigureAwait(false);
        if (received.Length != 10) throw new InvalidOperationException("wrong payload");
        socket.Send(ack);
    }
}
