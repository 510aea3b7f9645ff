using System.Security.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>AES in counter mode (NIST SP 800-38A, 128-bit big-endian counter as OpenSSH uses it) for key file bodies.</summary>
/// <remarks>.NET has no CTR mode; the keystream is AES-ECB of successive counter blocks from .NET's Aes.</remarks>
internal static class AesCtr
{
    public static void Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        int blocks = (data.Length + 15) / 16;
        var counters = new byte[blocks * 16];
        Span<byte> counter = stackalloc byte[16];
        iv.CopyTo(counter);
        for (int b = 0; b < blocks; b++)
        {
            counter.CopyTo(counters.AsSpan(b * 16));
            for (int i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }
        var keystream = aes.EncryptEcb(counters, PaddingMode.None);
        for (int i = 0; i < data.Length; i++) data[i] ^= keystream[i];
        CryptographicOperations.ZeroMemory(keystream);
    }
}
