using System.Numerics;
using System.Security.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ssh-rsa</c> private key held by .NET's RSA, signing with <c>rsa-sha2-512</c> or <c>rsa-sha2-256</c>.</summary>
public sealed class RsaPrivateKey : SshPrivateKey
{
    public const int DefaultBits = 3072;
    public const int MinimumBits = 2048;

    private static readonly string[] Algorithms = [SshKeyTypes.RsaSha2_512, SshKeyTypes.RsaSha2_256];

    private readonly RSA _rsa;
    private readonly RsaPublicKey _public;

    private RsaPrivateKey(RSA rsa)
    {
        _rsa = rsa;
        var p = rsa.ExportParameters(false);
        _public = new RsaPublicKey(p.Exponent, p.Modulus);
    }

    public static RsaPrivateKey Create(int bits = DefaultBits)
    {
        if (bits < MinimumBits || bits > RsaPublicKey.MaximumBits) throw new ArgumentOutOfRangeException(nameof(bits), "RSA keys must have 2048 to 16384 bits");
        return new(RSA.Create(bits));
    }

    /// <summary>Wraps a key .NET imported from PEM or PKCS#8.</summary>
    internal static RsaPrivateKey FromDotNet(RSA rsa) => new(rsa);

    /// <summary>Builds the key from OpenSSH's fields (n, e, d, iqmp, p, q); .NET also wants d mod (p-1) and d mod (q-1).</summary>
    internal static RsaPrivateKey FromComponents(ReadOnlySpan<byte> n, ReadOnlySpan<byte> e, ReadOnlySpan<byte> d,
        ReadOnlySpan<byte> iqmp, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q)
    {
        n = RsaPublicKey.TrimLeadingZeros(n);
        int modLength = n.Length;
        int halfLength = (modLength + 1) / 2;
        var bigD = new BigInteger(d, isUnsigned: true, isBigEndian: true);
        var bigP = new BigInteger(p, isUnsigned: true, isBigEndian: true);
        var bigQ = new BigInteger(q, isUnsigned: true, isBigEndian: true);
        if (bigP <= 1 || bigQ <= 1) throw new SshKeyFileException("damaged ssh-rsa private key");
        var parameters = new RSAParameters
        {
            Modulus = n.ToArray(),
            Exponent = RsaPublicKey.TrimLeadingZeros(e).ToArray(),
            D = FixedLength(d, modLength),
            P = FixedLength(p, halfLength),
            Q = FixedLength(q, halfLength),
            DP = FixedLength((bigD % (bigP - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), halfLength),
            DQ = FixedLength((bigD % (bigQ - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), halfLength),
            InverseQ = FixedLength(iqmp, halfLength),
        };
        try
        {
            return new(RSA.Create(parameters));
        }
        catch (CryptographicException ex)
        {
            throw new SshKeyFileException("damaged ssh-rsa private key", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
            CryptographicOperations.ZeroMemory(parameters.P);
            CryptographicOperations.ZeroMemory(parameters.Q);
            CryptographicOperations.ZeroMemory(parameters.DP);
            CryptographicOperations.ZeroMemory(parameters.DQ);
        }
    }

    public int KeySizeBits => _public.KeySizeBits;

    public override SshPublicKey PublicKey => _public;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        var hash = RsaPublicKey.HashFor(signatureAlgorithm)
            ?? throw new ArgumentException("RSA keys sign only with rsa-sha2-512 or rsa-sha2-256", nameof(signatureAlgorithm));
        return SshSignature.Encode(signatureAlgorithm, _rsa.SignData(data.ToArray(), hash, RSASignaturePadding.Pkcs1));
    }

    /// <summary>All private parameters, for writing key files; the caller must clear them.</summary>
    internal RSAParameters ExportParameters() => _rsa.ExportParameters(true);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rsa.Dispose();
        base.Dispose(disposing);
    }

    private static byte[] FixedLength(ReadOnlySpan<byte> value, int length)
    {
        value = RsaPublicKey.TrimLeadingZeros(value);
        if (value.Length > length) throw new SshKeyFileException("damaged ssh-rsa private key");
        var result = new byte[length];
        value.CopyTo(result.AsSpan(length - value.Length));
        return result;
    }
}
