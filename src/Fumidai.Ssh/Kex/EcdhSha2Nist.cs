using System.Security.Cryptography;

namespace Fumidai.Ssh.Kex;

/// <summary><c>ecdh-sha2-nistp256/384/521</c> (RFC 5656 §4) over .NET's ECDiffieHellman.</summary>
/// <remarks>Q_C and Q_S are uncompressed points 0x04 || X || Y (SEC 1 §2.3.3); K is the mpint of the shared x-coordinate.</remarks>
internal sealed class EcdhSha2Nist : KeyExchangeMethod
{
    public static readonly EcdhSha2Nist P256 = new("ecdh-sha2-nistp256", ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32);

    public static readonly EcdhSha2Nist P384 = new("ecdh-sha2-nistp384", ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48);

    public static readonly EcdhSha2Nist P521 = new("ecdh-sha2-nistp521", ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66);

    private const byte Uncompressed = 0x04;

    private readonly ECCurve _curve;
    private readonly int _coordinateSize;

    private EcdhSha2Nist(string name, ECCurve curve, HashAlgorithmName hash, int coordinateSize)
    {
        Name = name;
        HashAlgorithm = hash;
        _curve = curve;
        _coordinateSize = coordinateSize;
    }

    public override string Name { get; }

    public override HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Length of an encoded point: 0x04 plus both coordinates.</summary>
    public int PointSize => 1 + 2 * _coordinateSize;

    public override KexServerResult RespondAsServer(ReadOnlySpan<byte> clientEphemeral)
    {
        using var peer = ImportPeer(clientEphemeral);
        using var ours = ECDiffieHellman.Create(_curve);
        return new KexServerResult(EncodePoint(ours), Agree(ours, peer));
    }

    public override KexClientState StartAsClient() => new ClientState(this);

    /// <summary>Parses and validates the peer's point; .NET (OpenSSL) checks that it lies on the curve when importing.</summary>
    private ECDiffieHellman ImportPeer(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PointSize)
            throw KexFailure.InvalidPeerValue(Name, "point must be " + PointSize + " bytes");
        // Compressed (0x02/0x03) and hybrid forms are not allowed by RFC 5656 §3.1 for SSH.
        if (encoded[0] != Uncompressed)
            throw KexFailure.InvalidPeerValue(Name, "point must be uncompressed");

        var parameters = new ECParameters
        {
            Curve = _curve,
            Q = new ECPoint
            {
                X = encoded.Slice(1, _coordinateSize).ToArray(),
                Y = encoded.Slice(1 + _coordinateSize, _coordinateSize).ToArray(),
            },
        };
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, Name + ": point rejected (not on the curve or coordinate out of range)", e);
        }
    }

    private byte[] EncodePoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var encoded = new byte[PointSize];
        encoded[0] = Uncompressed;
        // Coordinates are fixed-width on the wire; right-align in case the platform returns them trimmed.
        q.X!.CopyTo(encoded, 1 + _coordinateSize - q.X!.Length);
        q.Y!.CopyTo(encoded, 1 + 2 * _coordinateSize - q.Y!.Length);
        return encoded;
    }

    private static byte[] Agree(ECDiffieHellman ours, ECDiffieHellman peer)
    {
        byte[] x = ours.DeriveRawSecretAgreement(peer.PublicKey);
        try
        {
            return SharedSecretEncoding.AsMpint(x);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(x);
        }
    }

    private sealed class ClientState : KexClientState
    {
        private readonly EcdhSha2Nist _method;
        private readonly ECDiffieHellman _key;

        public ClientState(EcdhSha2Nist method)
        {
            _method = method;
            _key = ECDiffieHellman.Create(method._curve);
            ClientEphemeral = method.EncodePoint(_key);
        }

        public override byte[] ClientEphemeral { get; }

        public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> serverEphemeral)
        {
            using var peer = _method.ImportPeer(serverEphemeral);
            return Agree(_key, peer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _key.Dispose();
            base.Dispose(disposing);
        }
    }
}
