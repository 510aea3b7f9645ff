using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ecdsa-sha2-nistp256/384/521</c> public key (RFC 5656 §3).</summary>
public sealed class EcdsaPublicKey : SshPublicKey
{
    private readonly byte[] _blob;
    private readonly byte[] _point;
    private readonly ECDsa _ecdsa;
    private readonly string[] _algorithms;

    public EcdsaPublicKey(EcdsaCurve curve, ReadOnlySpan<byte> point)
    {
        Curve = curve;
        // Only uncompressed points, as OpenSSH writes them.
        if (point.Length != curve.PointLength || point[0] != 0x04) throw SshProtocolException.Malformed(curve.KeyType + " key: bad point encoding");
        var parameters = new ECParameters
        {
            Curve = curve.Curve,
            Q = new ECPoint { X = point.Slice(1, curve.FieldLength).ToArray(), Y = point.Slice(1 + curve.FieldLength).ToArray() },
        };
        try
        {
            // ImportParameters checks that the point lies on the curve.
            _ecdsa = ECDsa.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new SshProtocolException(DisconnectReason.ProtocolError, "malformed " + curve.KeyType + " key: point not on curve", e);
        }
        _point = point.ToArray();
        _algorithms = [curve.KeyType];
        using var writer = new SshWriter(_point.Length + 48);
        writer.WriteString(curve.KeyType);
        writer.WriteString(curve.Identifier);
        writer.WriteBinary(point);
        _blob = writer.WrittenSpan.ToArray();
    }

    public EcdsaCurve Curve { get; }

    /// <summary>The uncompressed point 0x04 || X || Y.</summary>
    public ReadOnlyMemory<byte> Point => _point;

    public override string KeyType => Curve.KeyType;

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => _algorithms;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null)
    {
        if (!SshSignature.TryDecode(signatureBlob, out var algorithm, out var signature)) return false;
        if (algorithm != Curve.KeyType || !SshSignature.IsAllowed(algorithm, allowedAlgorithms)) return false;
        return VerifyRaw(data, signature);
    }

    /// <summary>Verifies the inner signature <c>mpint r, mpint s</c> over <paramref name="message"/> hashed with the curve's hash.</summary>
    internal bool VerifyRaw(ReadOnlySpan<byte> message, ReadOnlySpan<byte> rsBlob)
    {
        int n = Curve.FieldLength;
        Span<byte> fixedRs = stackalloc byte[2 * n];
        fixedRs.Clear();
        try
        {
            var reader = new SshReader(rsBlob);
            var r = reader.ReadUnsignedMPInt(n + 1);
            var s = reader.ReadUnsignedMPInt(n + 1);
            if (!reader.AtEnd || r.Length > n || s.Length > n || r.IsEmpty || s.IsEmpty) return false;
            r.CopyTo(fixedRs[(n - r.Length)..n]);
            s.CopyTo(fixedRs[(2 * n - s.Length)..]);
        }
        catch (SshProtocolException)
        {
            return false;
        }
        return _ecdsa.VerifyData(message, fixedRs, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Reads <c>string curve, string Q</c> following the key type, checking the curve matches the type.</summary>
    internal static EcdsaPublicKey ReadBody(EcdsaCurve curve, ref SshReader reader)
    {
        string identifier = reader.ReadString(32);
        if (identifier != curve.Identifier) throw SshProtocolException.Malformed(curve.KeyType + " key: curve does not match key type");
        return new EcdsaPublicKey(curve, reader.ReadBinary(curve.PointLength));
    }

    internal static byte[] EncodePoint(EcdsaCurve curve, ECPoint q)
    {
        var point = new byte[curve.PointLength];
        point[0] = 0x04;
        q.X.AsSpan().CopyTo(point.AsSpan(1 + curve.FieldLength - q.X!.Length));
        q.Y.AsSpan().CopyTo(point.AsSpan(1 + 2 * curve.FieldLength - q.Y!.Length));
        return point;
    }
}
