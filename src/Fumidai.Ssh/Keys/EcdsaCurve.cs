using System.Security.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>One of the NIST curves of RFC 5656 with its SSH names and the hash its signatures use.</summary>
public sealed class EcdsaCurve
{
    public static readonly EcdsaCurve NistP256 = new("nistp256", SshKeyTypes.EcdsaNistP256, ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32, 256);
    public static readonly EcdsaCurve NistP384 = new("nistp384", SshKeyTypes.EcdsaNistP384, ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48, 384);
    public static readonly EcdsaCurve NistP521 = new("nistp521", SshKeyTypes.EcdsaNistP521, ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66, 521);

    private EcdsaCurve(string identifier, string keyType, ECCurve curve, HashAlgorithmName hash, int fieldLength, int bits)
    {
        Identifier = identifier;
        KeyType = keyType;
        Curve = curve;
        Hash = hash;
        FieldLength = fieldLength;
        Bits = bits;
    }

    /// <summary>The curve identifier inside key blobs, e.g. <c>nistp256</c>.</summary>
    public string Identifier { get; }

    /// <summary>The key type and signature algorithm, e.g. <c>ecdsa-sha2-nistp256</c>.</summary>
    public string KeyType { get; }

    public ECCurve Curve { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>Bytes of one coordinate or scalar.</summary>
    public int FieldLength { get; }

    public int Bits { get; }

    /// <summary>Uncompressed point length: 0x04 || X || Y.</summary>
    public int PointLength => 1 + 2 * FieldLength;

    public static EcdsaCurve? FromIdentifier(string identifier) => identifier switch
    {
        "nistp256" => NistP256,
        "nistp384" => NistP384,
        "nistp521" => NistP521,
        _ => null,
    };

    public static EcdsaCurve? FromKeyType(string keyType) => keyType switch
    {
        SshKeyTypes.EcdsaNistP256 => NistP256,
        SshKeyTypes.EcdsaNistP384 => NistP384,
        SshKeyTypes.EcdsaNistP521 => NistP521,
        _ => null,
    };

    /// <summary>Finds the curve of a key imported by .NET (PEM/PKCS#8), by OID.</summary>
    internal static EcdsaCurve? FromOid(string? oid) => oid switch
    {
        "1.2.840.10045.3.1.7" => NistP256,
        "1.3.132.0.34" => NistP384,
        "1.3.132.0.35" => NistP521,
        _ => null,
    };
}
