using NSec.Cryptography;

namespace Fumidai.Recording.Chunks;

/// <summary>An <see cref="IManifestVerifier"/> for a raw 32-byte Ed25519 public key.</summary>
public sealed class Ed25519ManifestVerifier : IManifestVerifier
{
    private readonly PublicKey _key;

    public Ed25519ManifestVerifier(ReadOnlySpan<byte> publicKey)
    {
        _key = NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey);
        KeyId = Ed25519Keys.Fingerprint(publicKey);
    }

    /// <summary>From an <c>ssh-ed25519 AAAA…</c> line, e.g. the content of the audit key's <c>.pub</c> file.</summary>
    public static Ed25519ManifestVerifier FromOpenSshLine(string line) => new(Ed25519Keys.ParseOpenSshLine(line));

    public string KeyId { get; }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize && SignatureAlgorithm.Ed25519.Verify(_key, data, signature);
}
