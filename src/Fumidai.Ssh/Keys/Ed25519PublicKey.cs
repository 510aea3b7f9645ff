using Fumidai.Ssh.Wire;
using NSec.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ssh-ed25519</c> public key (RFC 8709).</summary>
public sealed class Ed25519PublicKey : SshPublicKey
{
    public const int KeyLength = 32;
    private const int SignatureLength = 64;
    private static readonly string[] Algorithms = [SshKeyTypes.Ed25519];

    private readonly byte[] _blob;
    private readonly byte[] _raw;
    private readonly PublicKey _key;

    public Ed25519PublicKey(ReadOnlySpan<byte> rawKey)
    {
        if (rawKey.Length != KeyLength) throw SshProtocolException.Malformed("ssh-ed25519 key: wrong length");
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, rawKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            throw SshProtocolException.Malformed("ssh-ed25519 key: not a valid point");
        _key = key;
        _raw = rawKey.ToArray();
        using var writer = new SshWriter(64);
        writer.WriteString(SshKeyTypes.Ed25519);
        writer.WriteBinary(rawKey);
        _blob = writer.WrittenSpan.ToArray();
    }

    /// <summary>The 32-byte public point.</summary>
    public ReadOnlyMemory<byte> RawKey => _raw;

    public override string KeyType => SshKeyTypes.Ed25519;

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null)
    {
        if (!SshSignature.TryDecode(signatureBlob, out var algorithm, out var signature)) return false;
        if (algorithm != SshKeyTypes.Ed25519 || !SshSignature.IsAllowed(algorithm, allowedAlgorithms)) return false;
        return VerifyRaw(data, signature);
    }

    /// <summary>Verifies a bare 64-byte Ed25519 signature; used by the sk variant which signs a derived message.</summary>
    internal bool VerifyRaw(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureLength && SignatureAlgorithm.Ed25519.Verify(_key, message, signature);

    internal static Ed25519PublicKey ReadBody(ref SshReader reader) => new(reader.ReadBinary(KeyLength));
}
