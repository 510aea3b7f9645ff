using System.Security.Cryptography;

namespace Fumidai.Ssh.Kex;

/// <summary>Derives IVs and keys from K, H and the session id (RFC 4253 §7.2).</summary>
internal static class KeyDerivation
{
    /// <summary>
    /// K1 = HASH(K || H || letter || session_id), Kn = HASH(K || H || K1 || ... || Kn-1); returns the first
    /// <paramref name="length"/> bytes of K1 || K2 || ...
    /// </summary>
    /// <param name="encodedK">K exactly as it enters the exchange hash, length prefix included (mpint or string).</param>
    /// <param name="letter">'A'..'F': IV c→s, IV s→c, key c→s, key s→c, integrity c→s, integrity s→c.</param>
    public static byte[] Derive(HashAlgorithmName hash, ReadOnlySpan<byte> encodedK, ReadOnlySpan<byte> exchangeHash,
        char letter, ReadOnlySpan<byte> sessionId, int length)
    {
        if (letter is < 'A' or > 'F') throw new ArgumentOutOfRangeException(nameof(letter), "RFC 4253 §7.2 letters are A to F");
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        using var hasher = IncrementalHash.CreateHash(hash);
        int blockSize = hasher.HashLengthInBytes;
        int blocks = Math.Max(1, (length + blockSize - 1) / blockSize);
        // Holds K1 || K2 || ...: each later block hashes everything produced so far.
        var stream = new byte[blocks * blockSize];
        try
        {
            hasher.AppendData(encodedK);
            hasher.AppendData(exchangeHash);
            hasher.AppendData([(byte)letter]);
            hasher.AppendData(sessionId);
            hasher.GetHashAndReset(stream.AsSpan(0, blockSize));

            for (int produced = blockSize; produced < length; produced += blockSize)
            {
                hasher.AppendData(encodedK);
                hasher.AppendData(exchangeHash);
                hasher.AppendData(stream.AsSpan(0, produced));
                hasher.GetHashAndReset(stream.AsSpan(produced, blockSize));
            }

            return stream.AsSpan(0, length).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }
}
