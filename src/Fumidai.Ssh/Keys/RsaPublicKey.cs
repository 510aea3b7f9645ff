using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ssh-rsa</c> public key verifying <c>rsa-sha2-512</c> and <c>rsa-sha2-256</c> signatures (RFC 8332); SHA-1 <c>ssh-rsa</c> signatures never verify.</summary>
public sealed class RsaPublicKey : SshPublicKey
{
    /// <summary>OpenSSH refuses smaller moduli outright (SSH_RSA_MINIMUM_MODULUS_SIZE); policy may demand more via <see cref="KeySizeBits"/>.</summary>
    public const int MinimumParseBits = 1024;

    /// <summary>Largest modulus accepted, as in OpenSSH (SSHBUF_MAX_BIGNUM); bounds the cost of a verify.</summary>
    public const int MaximumBits = 16384;

    private static readonly string[] Algorithms = [SshKeyTypes.RsaSha2_512, SshKeyTypes.RsaSha2_256];

    private readonly byte[] _blob;
    private readonly RSA _rsa;

    public RsaPublicKey(ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus)
    {
        exponent = TrimLeadingZeros(exponent);
        modulus = TrimLeadingZeros(modulus);
        KeySizeBits = BitLength(modulus);
        if (KeySizeBits < MinimumParseBits || KeySizeBits > MaximumBits) throw SshProtocolException.Malformed("ssh-rsa key: modulus size out of range");
        if (exponent.IsEmpty || exponent.Length > 8 || (exponent[^1] & 1) == 0) throw SshProtocolException.Malformed("ssh-rsa key: bad exponent");
        try
        {
            _rsa = RSA.Create(new RSAParameters { Exponent = exponent.ToArray(), Modulus = modulus.ToArray() });
        }
        catch (CryptographicException e)
        {
            throw new SshProtocolException(DisconnectReason.ProtocolError, "malformed ssh-rsa key", e);
        }
        using var writer = new SshWriter(modulus.Length + 32);
        writer.WriteString(SshKeyTypes.Rsa);
        writer.WriteUnsignedMPInt(exponent);
        writer.WriteUnsignedMPInt(modulus);
        _blob = writer.WrittenSpan.ToArray();
    }

    /// <summary>Modulus size in bits; callers refuse user keys below their policy (host keys need at least 3072).</summary>
    public int KeySizeBits { get; }

    public override string KeyType => SshKeyTypes.Rsa;

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null)
    {
        if (!SshSignature.TryDecode(signatureBlob, out var algorithm, out var signature)) return false;
        if (!SshSignature.IsAllowed(algorithm, allowedAlgorithms)) return false;
        var hash = HashFor(algorithm);
        if (hash is null) return false;
        int modulusBytes = (KeySizeBits + 7) / 8;
        if (signature.Length > modulusBytes || signature.IsEmpty) return false;
        // Some implementations strip leading zero bytes from the signature; RFC 8332 asks verifiers to accept that.
        Span<byte> padded = stackalloc byte[modulusBytes];
        padded.Clear();
        signature.CopyTo(padded[(modulusBytes - signature.Length)..]);
        return _rsa.VerifyData(data, padded, hash.Value, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The hash of an RSA signature algorithm; null for <c>ssh-rsa</c> (SHA-1, refused) and unknown names.</summary>
    internal static HashAlgorithmName? HashFor(string algorithm) => algorithm switch
    {
        SshKeyTypes.RsaSha2_512 => HashAlgorithmName.SHA512,
        SshKeyTypes.RsaSha2_256 => HashAlgorithmName.SHA256,
        _ => null,
    };

    internal static RsaPublicKey ReadBody(ref SshReader reader)
    {
        var e = reader.ReadUnsignedMPInt(9);
        var n = reader.ReadUnsignedMPInt(MaximumBits / 8 + 1);
        return new RsaPublicKey(e, n);
    }

    internal static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        int i = 0;
        while (i < value.Length && value[i] == 0) i++;
        return value[i..];
    }

    private static int BitLength(ReadOnlySpan<byte> magnitude) =>
        magnitude.IsEmpty ? 0 : (magnitude.Length - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude[0]));
}
