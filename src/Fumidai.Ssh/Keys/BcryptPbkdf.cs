using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;

namespace Fumidai.Ssh.Keys;

/// <summary>
/// OpenBSD's bcrypt_pbkdf, the KDF of passphrase-protected OpenSSH key files: a PBKDF2-like loop whose PRF is
/// "bcrypt_hash" (eksblowfish keyed by SHA-512 of the passphrase and salted by SHA-512 of salt||counter),
/// with output bytes interleaved across blocks.
/// </summary>
/// <remarks>No library offers it. The Blowfish initial tables (hex digits of pi) are BouncyCastle's, read once, so that
/// no table is retyped here; the expensive key schedule below follows the eksblowfish description.</remarks>
internal static class BcryptPbkdf
{
    private const int HashLength = 32;
    private const int Rounds = 16;
    private static readonly byte[] Magic = "OxychromaticBlowfishSwatDynamite"u8.ToArray();
    private static readonly uint[] InitialP = Table("KP");
    private static readonly uint[] InitialS = [.. Table("KS0"), .. Table("KS1"), .. Table("KS2"), .. Table("KS3")];

    public static byte[] DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int keyLength, int rounds)
    {
        if (rounds < 1 || keyLength < 1 || keyLength > 1024 || salt.IsEmpty) throw new ArgumentOutOfRangeException(nameof(rounds));
        var key = new byte[keyLength];
        int stride = (keyLength + HashLength - 1) / HashLength;
        int amount = (keyLength + stride - 1) / stride;
        Span<byte> sha2Pass = stackalloc byte[64];
        Span<byte> sha2Salt = stackalloc byte[64];
        Span<byte> block = stackalloc byte[HashLength];
        Span<byte> output = stackalloc byte[HashLength];
        var countSalt = new byte[salt.Length + 4];
        salt.CopyTo(countSalt);
        SHA512.HashData(password, sha2Pass);
        var state = new State();
        int remaining = keyLength;
        for (uint count = 1; remaining > 0; count++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(countSalt.AsSpan(salt.Length), count);
            SHA512.HashData(countSalt, sha2Salt);
            state.Hash(sha2Pass, sha2Salt, block);
            block.CopyTo(output);
            for (int round = 1; round < rounds; round++)
            {
                SHA512.HashData(block, sha2Salt);
                state.Hash(sha2Pass, sha2Salt, block);
                for (int j = 0; j < HashLength; j++) output[j] ^= block[j];
            }
            // Output byte i of this block lands at i*stride + (count-1): each block feeds every part of the key.
            int take = Math.Min(amount, remaining);
            int written = 0;
            for (; written < take; written++)
            {
                int destination = written * stride + (int)(count - 1);
                if (destination >= keyLength) break;
                key[destination] = output[written];
            }
            remaining -= written;
        }
        CryptographicOperations.ZeroMemory(sha2Pass);
        CryptographicOperations.ZeroMemory(output);
        CryptographicOperations.ZeroMemory(block);
        state.Clear();
        return key;
    }

    private static uint[] Table(string name) =>
        (uint[])(typeof(BlowfishEngine).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException("BouncyCastle Blowfish tables not found"));

    /// <summary>Blowfish state (P-array and the four S-boxes as one array) with the eksblowfish key schedule.</summary>
    private sealed class State
    {
        private readonly uint[] _p = new uint[18];
        private readonly uint[] _s = new uint[1024];

        /// <summary>bcrypt_hash: expensive key setup, then 64 encryptions of the magic string; words written little-endian.</summary>
        public void Hash(ReadOnlySpan<byte> sha2Pass, ReadOnlySpan<byte> sha2Salt, Span<byte> result)
        {
            InitialP.CopyTo(_p, 0);
            InitialS.CopyTo(_s, 0);
            Expand(sha2Salt, sha2Pass);
            for (int i = 0; i < 64; i++)
            {
                Expand0(sha2Salt);
                Expand0(sha2Pass);
            }
            Span<uint> data = stackalloc uint[8];
            for (int i = 0; i < 8; i++) data[i] = BinaryPrimitives.ReadUInt32BigEndian(Magic.AsSpan(4 * i));
            for (int i = 0; i < 64; i++)
            {
                for (int j = 0; j < 8; j += 2) Encipher(ref data[j], ref data[j + 1]);
            }
            for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32LittleEndian(result[(4 * i)..], data[i]);
        }

        public void Clear()
        {
            Array.Clear(_p);
            Array.Clear(_s);
        }

        /// <summary>Salted key schedule: XOR the key into P, then re-encrypt P and S while mixing in salt words.</summary>
        private void Expand(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> key)
        {
            int keyPos = 0;
            for (int i = 0; i < 18; i++) _p[i] ^= StreamWord(key, ref keyPos);
            int saltPos = 0;
            uint left = 0, right = 0;
            for (int i = 0; i < 18; i += 2)
            {
                left ^= StreamWord(salt, ref saltPos);
                right ^= StreamWord(salt, ref saltPos);
                Encipher(ref left, ref right);
                _p[i] = left;
                _p[i + 1] = right;
            }
            for (int i = 0; i < 1024; i += 2)
            {
                left ^= StreamWord(salt, ref saltPos);
                right ^= StreamWord(salt, ref saltPos);
                Encipher(ref left, ref right);
                _s[i] = left;
                _s[i + 1] = right;
            }
        }

        /// <summary>Unsalted key schedule (the standard Blowfish one applied to the current state).</summary>
        private void Expand0(ReadOnlySpan<byte> key)
        {
            int keyPos = 0;
            for (int i = 0; i < 18; i++) _p[i] ^= StreamWord(key, ref keyPos);
            uint left = 0, right = 0;
            for (int i = 0; i < 18; i += 2)
            {
                Encipher(ref left, ref right);
                _p[i] = left;
                _p[i + 1] = right;
            }
            for (int i = 0; i < 1024; i += 2)
            {
                Encipher(ref left, ref right);
                _s[i] = left;
                _s[i + 1] = right;
            }
        }

        private void Encipher(ref uint left, ref uint right)
        {
            uint l = left ^ _p[0], r = right;
            for (int i = 1; i <= Rounds; i += 2)
            {
                r ^= F(l) ^ _p[i];
                l ^= F(r) ^ _p[i + 1];
            }
            left = r ^ _p[Rounds + 1];
            right = l;
        }

        private uint F(uint x) =>
            ((_s[x >> 24] + _s[256 + ((x >> 16) & 0xff)]) ^ _s[512 + ((x >> 8) & 0xff)]) + _s[768 + (x & 0xff)];

        /// <summary>Next big-endian word of <paramref name="data"/>, wrapping around (Blowfish_stream2word).</summary>
        private static uint StreamWord(ReadOnlySpan<byte> data, ref int position)
        {
            uint word = 0;
            for (int i = 0; i < 4; i++)
            {
                if (position >= data.Length) position = 0;
                word = (word << 8) | data[position++];
            }
            return word;
        }
    }
}
