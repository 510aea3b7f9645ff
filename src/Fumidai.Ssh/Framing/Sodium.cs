using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Framing;

/// <summary>Direct libsodium entry points for the raw ChaCha20 stream (original 64-bit nonce) and Poly1305.</summary>
/// <remarks>
/// NSec exposes only the IETF AEAD, while chacha20-poly1305@openssh.com needs the DJB ChaCha20 variant with a 64-bit
/// nonce and a 64-bit block counter, and a bare one-time Poly1305. The native library ships in the libsodium package
/// that NSec depends on.
/// </remarks>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    public const int ChaCha20KeyBytes = 32;
    public const int ChaCha20NonceBytes = 8;
    public const int Poly1305KeyBytes = 32;
    public const int Poly1305TagBytes = 16;

    static Sodium()
    {
        // sodium_init picks the fastest implementations and seeds its RNG; 1 means another component got there first.
        if (sodium_init() < 0)
        {
            throw new CryptographicException("libsodium failed to initialise.");
        }
    }

    /// <summary>Runs the static constructor, so sodium_init has been called exactly once before any other entry point.</summary>
    public static void EnsureInitialized()
    {
    }

    /// <summary>XORs <paramref name="data"/> in place with ChaCha20(key, nonce) starting at 64-byte block <paramref name="initialCounter"/>.</summary>
    public static void ChaCha20Xor(Span<byte> data, ReadOnlySpan<byte> nonce, ulong initialCounter, ReadOnlySpan<byte> key)
    {
        CheckKeyAndNonce(nonce, key);
        fixed (byte* d = data)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            Check(crypto_stream_chacha20_xor_ic(d, d, (ulong)data.Length, n, initialCounter, k), "crypto_stream_chacha20_xor_ic");
        }
    }

    /// <summary>Writes ChaCha20(key, nonce) keystream from block 0 into <paramref name="destination"/>.</summary>
    public static void ChaCha20Stream(Span<byte> destination, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        CheckKeyAndNonce(nonce, key);
        fixed (byte* d = destination)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            Check(crypto_stream_chacha20(d, (ulong)destination.Length, n, k), "crypto_stream_chacha20");
        }
    }

    /// <summary>Computes the 16-byte Poly1305 tag of <paramref name="message"/> under the one-time <paramref name="key"/>.</summary>
    public static void Poly1305(Span<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        if (tag.Length < Poly1305TagBytes || key.Length != Poly1305KeyBytes)
        {
            throw new ArgumentException("Poly1305 needs a 16-byte tag buffer and a 32-byte key.");
        }

        fixed (byte* t = tag)
        fixed (byte* m = message)
        fixed (byte* k = key)
        {
            Check(crypto_onetimeauth_poly1305(t, m, (ulong)message.Length, k), "crypto_onetimeauth_poly1305");
        }
    }

    /// <summary>Checks a Poly1305 tag in constant time.</summary>
    public static bool Poly1305Verify(ReadOnlySpan<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        if (key.Length != Poly1305KeyBytes)
        {
            throw new ArgumentException("Poly1305 needs a 32-byte key.");
        }

        if (tag.Length != Poly1305TagBytes)
        {
            return false;
        }

        fixed (byte* t = tag)
        fixed (byte* m = message)
        fixed (byte* k = key)
        {
            return crypto_onetimeauth_poly1305_verify(t, m, (ulong)message.Length, k) == 0;
        }
    }

    /// <summary>Turns a libsodium failure into an exception: output left unwritten must never be used as ciphertext or a tag.</summary>
    private static void Check(int result, string function)
    {
        if (result != 0)
        {
            throw new CryptographicException($"libsodium {function} failed ({result}).");
        }
    }

    private static void CheckKeyAndNonce(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        // The native side reads fixed sizes through the pointers: a short span would be an out-of-bounds read.
        if (nonce.Length != ChaCha20NonceBytes || key.Length != ChaCha20KeyBytes)
        {
            throw new ArgumentException("ChaCha20 needs an 8-byte nonce and a 32-byte key.");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_stream_chacha20(byte* c, ulong clen, byte* n, byte* k);

    [LibraryImport(Library)]
    private static partial int crypto_stream_chacha20_xor_ic(byte* c, byte* m, ulong mlen, byte* n, ulong ic, byte* k);

    [LibraryImport(Library)]
    private static partial int crypto_onetimeauth_poly1305(byte* @out, byte* @in, ulong inlen, byte* k);

    [LibraryImport(Library)]
    private static partial int crypto_onetimeauth_poly1305_verify(byte* h, byte* @in, ulong inlen, byte* k);
}
