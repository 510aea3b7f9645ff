using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Recording.Chunks;

/// <summary>The hash chain over chunks: chain_i = SHA-256(chain_{i-1} ‖ SHA-256(chunk_i)), chain_{-1} from the recording id.</summary>
/// <remarks>
/// The genesis value binds the chain to one recording (and kind), so chunks cannot be moved between recordings;
/// each link binds the order, so chunks cannot be swapped, dropped or inserted without breaking every later value.
/// </remarks>
public static class ChunkChain
{
    public static byte[] Genesis(string kind, string id) => SHA256.HashData(Encoding.UTF8.GetBytes($"fumidai-chain-v1\n{kind}\n{id}"));

    public static byte[] Next(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> chunkSha256)
    {
        Span<byte> input = stackalloc byte[64];
        previous.CopyTo(input);
        chunkSha256.CopyTo(input[32..]);
        return SHA256.HashData(input);
    }

    public static string Hex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
