using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ecdsa-sha2-nistp256/384/521</c> private key held by .NET's ECDsa.</summary>
public sealed class EcdsaPrivateKey : SshPrivateKey
{
    private readonly ECDsa _ecdsa;
    private readonly EcdsaPublicKey _public;

    private EcdsaPrivateKey(EcdsaCurve curve, ECDsa ecdsa)
    {
        Curve = curve;
        _ecdsa = ecdsa;
        _public = new EcdsaPublicKey(curve, EcdsaPublicKey.EncodePoint(curve, ecdsa.ExportParameters(false).Q));
    }

    public EcdsaCurve Curve { get; }

    public static EcdsaPrivateKey Create(EcdsaCurve curve) => new(curve, ECDsa.Create(curve.Curve));

    /// <summary>Imports the private scalar with its public point, checking they belong together.</summary>
    internal static EcdsaPrivateKey FromScalar(EcdsaCurve curve, ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar)
    {
        if (point.Length != curve.PointLength || point[0] != 0x04 || scalar.Length > curve.FieldLength)
            throw new SshKeyFileException("damaged " + curve.KeyType + " private key");
        var d = new byte[curve.FieldLength];
        scalar.CopyTo(d.AsSpan(curve.FieldLength - scalar.Length));
        var parameters = new ECParameters
        {
            Curve = curve.Curve,
            D = d,
            Q = new ECPoint { X = point.Slice(1, curve.FieldLength).ToArray(), Y = point.Slice(1 + curve.FieldLength).ToArray() },
        };
        try
        {
            parameters.Validate();
            return new(curve, ECDsa.Create(parameters));
        }
        catch (CryptographicException e)
        {
            throw new SshKeyFileException("damaged " + curve.KeyType + " private key", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Wraps a key .NET imported from PEM or PKCS#8.</summary>
    internal static EcdsaPrivateKey FromDotNet(ECDsa ecdsa)
    {
        var curve = EcdsaCurve.FromOid(ecdsa.ExportParameters(false).Curve.Oid?.Value)
            ?? throw new SshKeyFileException("EC key on a curve SSH does not use");
        return new(curve, ecdsa);
    }

    public override SshPublicKey PublicKey => _public;

    public override IReadOnlyList<string> SignatureAlgorithms => _public.SignatureAlgorithms;

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        if (signatureAlgorithm != Curve.KeyType)
            throw new ArgumentException("this key signs only with " + Curve.KeyType, nameof(signatureAlgorithm));
        return SshSignature.Encode(Curve.KeyType, SignRaw(data));
    }

    /// <summary>Signs and returns the inner <c>mpint r, mpint s</c> blob.</summary>
    internal byte[] SignRaw(ReadOnlySpan<byte> message)
    {
        int n = Curve.FieldLength;
        var rs = _ecdsa.SignData(message, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var writer = new SshWriter(2 * n + 16);
        writer.WriteUnsignedMPInt(rs.AsSpan(0, n));
        writer.WriteUnsignedMPInt(rs.AsSpan(n));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The private scalar, for writing key files; the caller must clear it.</summary>
    internal byte[] ExportScalar() => _ecdsa.ExportParameters(true).D!;

    protected override void Dispose(bool disposing)
    {
        if (disposing) _ecdsa.Dispose();
        base.Dispose(disposing);
    }
}
